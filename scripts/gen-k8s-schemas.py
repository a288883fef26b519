#!/usr/bin/env python3
"""Generate the embedded Kubernetes schema bundle (core/src/validate/schemas/k8s.json.gz).

Source: the JSON schemas shipped in the `kubernetes-validate` PyPI wheel (Apache-2.0),
directories `kubernetes-json-schema/vX.Y.0-local/_definitions.json`.

    pip download --no-deps kubernetes-validate==1.37.0 -d /tmp/kv
    python3 scripts/gen-k8s-schemas.py /tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl

What the script does:
- keeps Kubernetes 1.27 and newer (the versions gitops-kit supports);
- strips descriptions and every keyword the validator does not read;
- content-addresses definitions: a definition whose stripped text is the same in several
  versions is stored once; each version maps definition names to content hashes, and `$ref`s
  stay names, resolved through the version's own map (so a shared definition that refers to a
  changed one is still correct);
- writes deterministic, gzip-compressed JSON (mtime 0).

Strictness is not baked in: the validator treats an object schema with `properties` and no
`additionalProperties` as closed when strict mode is on (that is exactly what the wheel's
`-strict` variant adds).
"""
import gzip
import hashlib
import io
import json
import re
import sys
import zipfile

MIN_MINOR = 27
KEEP = {"type", "properties", "items", "required", "enum", "format", "additionalProperties",
        "$ref", "oneOf", "minimum", "maximum", "pattern", "minLength", "maxLength"}


def strip(schema):
    if isinstance(schema, list):
        return [strip(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key not in KEEP:
            continue
        if key == "properties":
            out[key] = {name: strip(s) for name, s in sorted(value.items())}
        elif key == "$ref":
            out[key] = value.rsplit("/", 1)[-1]
        else:
            out[key] = strip(value)
    return out


def main():
    wheel = sys.argv[1]
    out_path = sys.argv[2] if len(sys.argv) > 2 else "core/src/validate/schemas/k8s.json.gz"
    zf = zipfile.ZipFile(wheel)
    wheel_version = re.search(r"kubernetes_validate-([^-]+)-", wheel).group(1)
    pattern = re.compile(r"kubernetes-json-schema/v1\.(\d+)\.0-local/_definitions\.json$")
    defs_store = {}
    versions = {}
    for name in sorted(zf.namelist()):
        m = pattern.search(name)
        if not m or int(m.group(1)) < MIN_MINOR:
            continue
        minor = int(m.group(1))
        raw = json.load(io.BytesIO(zf.read(name)))["$defs"]
        names = {}
        gvks = {}
        for def_name, schema in sorted(raw.items()):
            for gvk in schema.get("x-kubernetes-group-version-kind", []):
                group, version = gvk.get("group", ""), gvk["version"]
                api_version = f"{group}/{version}" if group else version
                gvks[f"{api_version}/{gvk['kind']}"] = def_name
            stripped = strip(schema)
            text = json.dumps(stripped, sort_keys=True, separators=(",", ":"))
            digest = hashlib.sha256(text.encode()).hexdigest()[:16]
            defs_store[digest] = stripped
            names[def_name] = digest
        versions[f"1.{minor}"] = {"definitions": names, "kinds": gvks}
    bundle = {
        "source": f"kubernetes-validate {wheel_version} (PyPI wheel, Apache-2.0)",
        "versions": versions,
        "schemas": dict(sorted(defs_store.items())),
    }
    data = json.dumps(bundle, sort_keys=True, separators=(",", ":")).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write(data)
    with open(out_path, "wb") as f:
        f.write(buf.getvalue())
    print(f"{len(versions)} versions ({', '.join(versions)}), {len(defs_store)} distinct definitions, "
          f"{len(data)} bytes JSON, {len(buf.getvalue())} bytes gzip -> {out_path}")


if __name__ == "__main__":
    main()
