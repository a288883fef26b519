// Type-level check of the generated index.d.ts (run by api.test.mjs with `tsc --noEmit`).
import {
  Repo,
  applyEdits,
  loadManifests,
  loadManifestsSync,
  locate,
  manifestReport,
  parseManifests,
  toYaml,
  yamlHazards,
  yamlToJson,
  type CommitInfo,
  type NodeLocation,
  type ParseOptions,
  type ResourceSummary,
  type TreeFile,
} from '../../index.js'

// Minimal stand-in for @types/node (not a dependency): the d.ts names Node's Buffer.
declare global {
  interface Buffer extends Uint8Array {}
}

const options: ParseOptions = { lenient: true, maxDepth: 64 }
const docs: unknown[] = yamlToJson('a: 1', 'a.yaml', options)
const summaries: ResourceSummary[] = parseManifests('kind: x', undefined, null)
const ns: string | null | undefined = summaries[0]?.namespace
const report = manifestReport('kind: x')
const problems: string[] = report.problems.map((p) => p.code)
const hazard: string | undefined = yamlHazards('a: yes')[0]?.hazard
const where: NodeLocation = locate('a: 1', '/a', 'f.yaml', 0, options)
const endLine: number = where.end_line
const edited: string = applyEdits('a: 1', [{ start: where.start, end: where.end, replacement: '2' }])
const yaml: string = toYaml({ a: [1, 2] })
const loaded: Promise<ResourceSummary[]> = loadManifests(['a.yaml', 'dir'], { maxNodes: 10 }, '.')
const loadedSync: ResourceSummary[] = loadManifestsSync('a.yaml')

const repo: Repo = Repo.discover()
const path: string = repo.path
const head: string = repo.resolve('HEAD')
const headAsync: Promise<string> = repo.resolveAsync('HEAD')
const bytes: Buffer = repo.readFile('HEAD', 'a.yaml')
const files: Promise<TreeFile[]> = repo.readFilesAsync('HEAD', 'deploy')
const log: CommitInfo[] = repo.log('HEAD', { exclude: 'v1', firstParent: true })
const author: string | undefined = log[0]?.author_name
const changed: 'added' | 'modified' | 'deleted' | undefined = repo.changedPaths('v1', 'HEAD')[0]?.change
const id: Promise<string> = repo.commitAsync({
  branch: 'main',
  changes: [{ path: 'a.yaml', data: 'a: 2\n' }, { path: 'b.yaml', data: bytes }, { path: 'c.yaml' }],
  message: 'update',
  author: { name: 'Bot', email: 'bot@example.com', time: 1700000000, offsetMinutes: 60 },
  expectedTip: head,
})
const fromGit: Promise<ResourceSummary[]> = repo.loadManifestsAsync('HEAD', 'deploy', { lenient: true })

export { docs, ns, problems, hazard, endLine, edited, yaml, loaded, loadedSync, path, headAsync, files, author, changed, id, fromGit }
