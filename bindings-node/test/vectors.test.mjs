// Runs every conformance vector of tests/vectors (format: tests/vectors/README.md) through the
// public JS API. Vectors are read with the addon's own yamlToJson, as in every front end.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const gk = require('../index.js')

const VECTORS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'vectors')

// Vector call (Python name) -> JS function and its positional argument order.
const CALLS = {
  validate_text: ['validateText', ['text', 'file', 'options']],
  yaml_to_json: ['yamlToJson', ['text', 'file', 'options']],
  yaml_hazards: ['yamlHazards', ['text', 'file', 'options']],
  locate: ['locate', ['text', 'pointer', 'file', 'document', 'options']],
  apply_edits: ['applyEdits', ['text', 'edits', 'file']],
  to_yaml: ['toYaml', ['value']],
  parse_manifests: ['parseManifests', ['text', 'file', 'options']],
  manifest_report: ['manifestReport', ['text', 'file', 'options']],
  resolve: ['resolve', ['config', 'branch', 'file']],
  gate: ['gate', ['config', 'environment', 'at', 'approvals', 'author', 'file']],
  load_config: ['loadConfig', ['text', 'file']],
  check_config: ['checkConfig', ['text', 'file']],
  parse_image: ['parseImage', ['reference', 'mode']],
  lint_image: ['lintImage', ['reference', 'settings']],
  sanitize_tag: ['sanitizeTag', ['branch', 'lowercase']],
  same_repository: ['sameRepository', ['a', 'b', 'aliases']],
  image_sites: ['imageSites', ['text', 'file', 'settings']],
  set_images: ['setImages', ['text', 'edits', 'file', 'settings']],
  render_tag: ['renderTag', ['scheme', 'facts']],
  parse_tag: ['parseTag', ['scheme', 'tag']],
  diff_texts: ['diffTexts', ['old', 'new', 'options']],
  diff_texts_render: ['diffTextsRender', ['old', 'new', 'options', 'format']],
}

const camel = (key) => key.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
const camelKeys = (obj) =>
  obj == null ? obj : Object.fromEntries(Object.entries(obj).map(([k, v]) => [camel(k), v]))

function vectorFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const path = join(dir, e.name)
      if (e.isDirectory()) return vectorFiles(path)
      return e.isFile() && e.name.endsWith('.yaml') ? [path] : []
    })
    .sort()
}

const files = vectorFiles(VECTORS)

test('the vector directory has vectors', () => {
  assert.ok(files.length >= 20, `only ${files.length} vectors found in ${VECTORS}`)
})

for (const path of files) {
  const name = relative(VECTORS, path)
  test(`vector ${name}`, () => {
    const [vector] = gk.yamlToJson(readFileSync(path, 'utf8'), path)
    const known = CALLS[vector.call]
    assert.ok(known, `${name}: unknown call ${vector.call}`)
    const [fnName, order] = known
    const fn = gk[fnName]
    assert.equal(typeof fn, 'function', `${fnName} is not exported`)
    const unknownArgs = Object.keys(vector.args).filter((k) => !order.includes(k))
    assert.deepEqual(unknownArgs, [], `${name}: arguments not in the documented order`)
    const args = order.map((k) => (k === 'options' ? camelKeys(vector.args[k]) : vector.args[k]))
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop()
    const call = () => fn(...args)

    if ('result' in vector.expect) {
      assert.deepStrictEqual(call(), vector.expect.result, vector.description)
    } else {
      const expected = vector.expect.error
      assert.ok(expected, `${name}: expect has neither result nor error`)
      assert.throws(call, (err) => {
        assert.ok(err instanceof Error, 'a JS Error is thrown')
        for (const [key, value] of Object.entries(expected)) {
          assert.deepStrictEqual(err[key], value, `err.${key} (${err.message})`)
        }
        return true
      })
    }
  })
}
