// Ajv 8 as a peer of `ocppctl validate` on bare OCPP-J 2.0.1 frames (issue 12 item 11).
// The same work as ocppctl's fast path: read the lines, JSON.parse each, check the frame's
// shape, pair each CALLRESULT/CALLERROR with its CALL by unique id, validate every CALL and
// CALLRESULT payload with a compiled validator (allErrors, formats on: date-time, uri), compiled
// on first use from the same schema files. Prints one JSON line: frames, invalid payloads, errors.
//
//   node bench/ajv/validate.mjs FILE [SCHEMA_DIR]
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const Ajv = require("ajv");
const addFormats = require("ajv-formats");
const draft6 = require("ajv/lib/refs/json-schema-draft-06.json");

const [file, schemaDir = new URL("../../schemas/v201", import.meta.url).pathname] = process.argv.slice(2);
const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
ajv.addMetaSchema(draft6);
addFormats(ajv);

const files = new Set(readdirSync(schemaDir));
const compiled = new Map();
function validator(name) {
  let fn = compiled.get(name);
  if (fn === undefined) {
    fn = files.has(name + ".json") ? ajv.compile(JSON.parse(readFileSync(join(schemaDir, name + ".json"), "utf8"))) : null;
    compiled.set(name, fn);
  }
  return fn;
}

const open = new Map();
let frames = 0, bad = 0, orphans = 0, invalid = 0, errors = 0;
function judge(fn, payload) {
  if (fn && !fn(payload)) {
    invalid += 1;
    errors += fn.errors.length;
  }
}
const text = readFileSync(file, "utf8");
let start = 0;
while (start < text.length) {
  let end = text.indexOf("\n", start);
  if (end < 0) end = text.length;
  const line = text.slice(start, end);
  start = end + 1;
  if (!line) continue;
  frames += 1;
  let value;
  try {
    value = JSON.parse(line);
  } catch {
    bad += 1;
    continue;
  }
  if (!Array.isArray(value) || typeof value[1] !== "string" || value[1].length > 36) {
    bad += 1;
    continue;
  }
  const type = value[0];
  if (type === 2 && value.length === 4 && typeof value[2] === "string") {
    open.set(value[1], value[2]);
    judge(validator(value[2] + "Request"), value[3]);
  } else if ((type === 3 && value.length === 3) || (type === 4 && value.length === 5)) {
    const action = open.get(value[1]);
    if (action === undefined) {
      orphans += 1;
      continue;
    }
    open.delete(value[1]);
    if (type === 3) judge(validator(action + "Response"), value[2]);
  } else {
    bad += 1;
  }
}
console.log(JSON.stringify({ frames, bad, orphans, invalid, errors, unanswered: open.size }));
