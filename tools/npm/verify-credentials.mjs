// verify-credentials.mjs checks certportal's credentials with libraries
// certportal does not use: Digital Bazaar's Data Integrity stack for the
// eddsa-rdfc-2022 proofs, jose for the VC-JWTs and ajv for the 1EdTech
// Open Badges 3.0 JSON Schema. It never reaches the network: the JSON-LD
// document loader serves only the contexts and the DID document named in
// the manifest.
//
// Usage: node verify-credentials.mjs MANIFEST
//
// MANIFEST is JSON:
//
//   {"did_document": "did.json",
//    "schema": ".../ob_v3p0_achievementcredential_schema.json",
//    "contexts": {"https://www.w3.org/ns/credentials/v2": "credentials-v2.json", ...},
//    "status_lists": ["revocation-1.json", ...],
//    "now": "2026-12-06T10:00:00Z",
//    "credentials": [{"name": "a", "path": "a.json", "form": "json-ld"},
//                    {"name": "b", "path": "b.jwt", "form": "vc-jwt"},
//                    {"name": "c", "path": "revocation-1.json", "form": "status-list"},
//                    {"name": "d", "path": "badge.png", "form": "png"},
//                    {"name": "e", "path": "badge.svg", "form": "svg"}]}
//
// A badge (form png or svg) is unbaked here, by this script's own reading
// of the image as Open Badges 3.0 defines baking: the PNG's iTXt chunk
// with the keyword openbadgecredential (every chunk's CRC checked), the
// SVG's <openbadges:credential> element in the Open Badges namespace. The
// credential found, JSON-LD or a VC-JWT, is then checked as those forms
// are, and the line says which it was as "unbaked". An image that cannot
// be unbaked gets a failed proof check naming why.
//
// Relative paths are read from the manifest's directory. For each
// credential it prints one JSON line:
//
//   {"name": "a", "form": "json-ld", "checks": {"proof": {"ok": true},
//    "schema": {"ok": true}, "status": {"ok": true, "revoked": false, "suspended": false}}}
//
// A check that fails has "ok": false and an "error". Status lists get the
// proof check only (the Open Badges schema does not apply to them). The
// exit code is 0 when every line was printed, whatever the results, and 2
// when the manifest cannot be used.

import {readFileSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import {gunzipSync, inflateSync} from 'node:zlib';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as jose from 'jose';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';

const manifestPath = process.argv[2];
if(!manifestPath) {
  console.error('usage: node verify-credentials.mjs MANIFEST');
  process.exit(2);
}
const base = dirname(resolve(manifestPath));
const readJSON = p => JSON.parse(readFileSync(resolve(base, p), 'utf8'));
const manifest = readJSON(manifestPath);
const now = manifest.now ? new Date(manifest.now) : new Date();

// The DID document, and each of its verification methods by DID URL.
const didDocument = readJSON(manifest.did_document);
const documents = new Map();
documents.set(didDocument.id, didDocument);
for(const vm of didDocument.verificationMethod || []) {
  // Dereferencing a DID URL gives the method in the DID document's context.
  documents.set(vm.id, {'@context': didDocument['@context'], ...vm});
}
for(const [url, path] of Object.entries(manifest.contexts || {})) {
  documents.set(url, readJSON(path));
}
const statusLists = new Map();
for(const path of manifest.status_lists || []) {
  const list = readJSON(path);
  statusLists.set(list.id, list);
}

// documentLoader serves only what the manifest gave; everything else is an
// error, so nothing is fetched.
async function documentLoader(url) {
  if(documents.has(url)) {
    return {contextUrl: null, documentUrl: url, document: structuredClone(documents.get(url))};
  }
  throw new Error(`not served offline: ${url}`);
}

// jwks maps each DID URL of the DID document to its public key as a JWK.
const jwks = new Map();
for(const vm of didDocument.verificationMethod || []) {
  const keyPair = await Ed25519Multikey.from({'@context': didDocument['@context'], ...vm});
  jwks.set(vm.id, await Ed25519Multikey.toJwk({keyPair}));
}

// The 1EdTech schema in ajv (draft 2019-09), formats asserted.
const schema = readJSON(manifest.schema);
const ajv = new Ajv2019({strict: false, allErrors: true});
addFormats(ajv);
ajv.addSchema(schema);
const validateCredential = ajv.getSchema(schema.$id);
const validateStatusEntry = ajv.getSchema(schema.$id + '#/$defs/CredentialStatus');

// checkSchema validates a credential against the 1EdTech schema with the
// allowance certportal makes (docs/credentials.md): an array of
// credentialStatus entries is validated entry by entry against the
// schema's CredentialStatus definition, and the document, with its first
// entry in place of the array, against the whole schema.
function checkSchema(credential) {
  const doc = structuredClone(credential);
  if(Array.isArray(doc.credentialStatus)) {
    if(doc.credentialStatus.length === 0) {
      return fail('credentialStatus is empty');
    }
    for(const [i, entry] of doc.credentialStatus.entries()) {
      if(!validateStatusEntry(entry)) {
        return fail(`credentialStatus/${i}: ${ajv.errorsText(validateStatusEntry.errors)}`);
      }
    }
    doc.credentialStatus = doc.credentialStatus[0];
  }
  if(!validateCredential(doc)) {
    return fail(ajv.errorsText(validateCredential.errors));
  }
  return {ok: true};
}

function fail(error) {
  return {ok: false, error: String(error)};
}

function errorText(e) {
  if(!e) {
    return 'unknown error';
  }
  if(Array.isArray(e.errors) && e.errors.length) {
    return e.errors.map(errorText).join('; ');
  }
  return e.message || String(e);
}

function suite() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
}

// checkDataIntegrity verifies a credential's embedded proof (and, through
// @digitalbazaar/vc, its dates and shape). Status is checked separately.
async function checkDataIntegrity(credential) {
  try {
    const result = await vc.verifyCredential({
      credential, suite: suite(), documentLoader, now,
      checkStatus: async () => ({verified: true})
    });
    return result.verified ? {ok: true} : fail(errorText(result.error));
  } catch(e) {
    return fail(errorText(e));
  }
}

// checkJWT verifies a VC-JWT with jose: EdDSA only, typ vc+jwt, the key
// the header's kid names in the DID document.
async function checkJWT(token) {
  try {
    const header = jose.decodeProtectedHeader(token);
    if(header.typ !== 'vc+jwt') {
      return {check: fail(`typ is ${header.typ}, want vc+jwt`)};
    }
    const jwk = jwks.get(header.kid);
    if(!jwk) {
      return {check: fail(`kid ${header.kid} is not in the DID document`)};
    }
    const key = await jose.importJWK({...jwk, alg: 'EdDSA'}, 'EdDSA');
    const {payload} = await jose.compactVerify(token, key, {algorithms: ['EdDSA']});
    return {check: {ok: true}, credential: JSON.parse(new TextDecoder().decode(payload))};
  } catch(e) {
    return {check: fail(errorText(e))};
  }
}

// listBits verifies a status list's own proof and decodes its bitstring.
const listCache = new Map();
async function listBits(url) {
  if(!listCache.has(url)) {
    listCache.set(url, (async () => {
      const list = statusLists.get(url);
      if(!list) {
        throw new Error(`status list ${url} not given`);
      }
      const proof = await checkDataIntegrity(list);
      if(!proof.ok) {
        throw new Error(`status list ${url}: ${proof.error}`);
      }
      const encoded = list.credentialSubject.encodedList;
      if(!encoded.startsWith('u')) {
        throw new Error(`status list ${url}: encodedList is not multibase base64url`);
      }
      return {purpose: list.credentialSubject.statusPurpose, bits: gunzipSync(Buffer.from(encoded.slice(1), 'base64url'))};
    })());
  }
  return listCache.get(url);
}

// checkStatus reads each BitstringStatusListEntry from its (verified)
// list: index 0 is the most significant bit of the first byte.
async function checkStatus(credential) {
  const entries = [].concat(credential.credentialStatus || []);
  const result = {ok: true, revoked: false, suspended: false};
  try {
    for(const entry of entries) {
      if(entry.type !== 'BitstringStatusListEntry') {
        return fail(`unknown status type ${entry.type}`);
      }
      const {purpose, bits} = await listBits(entry.statusListCredential);
      if(purpose !== entry.statusPurpose) {
        return fail(`entry purpose ${entry.statusPurpose}, list purpose ${purpose}`);
      }
      const index = Number.parseInt(entry.statusListIndex, 10);
      if(!(index >= 0 && index < bits.length * 8)) {
        return fail(`index ${entry.statusListIndex} outside the list`);
      }
      if(bits[index >> 3] & (0x80 >> (index & 7))) {
        result[purpose === 'revocation' ? 'revoked' : 'suspended'] = true;
        result.ok = false;
      }
    }
  } catch(e) {
    return fail(errorText(e));
  }
  return result;
}

// crcTable is the CRC-32 of PNG chunks (ISO 3309, polynomial 0xedb88320).
const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n;
  for(let k = 0; k < 8; k++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for(const b of bytes) {
    c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const pngKeyword = 'openbadgecredential';

// unbakePNG walks the chunks of a PNG, checking each CRC, and returns the
// text of the iTXt chunk openbadgecredential: keyword, NUL, compression
// flag, compression method, language tag, NUL, translated keyword, NUL,
// text (zlib-compressed when the flag is 1).
function unbakePNG(png) {
  if(png.length < 8 || !png.subarray(0, 8).equals(pngSignature)) {
    throw new Error('not a PNG image');
  }
  let found;
  for(let at = 8; ;) {
    if(at + 12 > png.length) {
      throw new Error('truncated PNG chunk or no IEND');
    }
    const length = png.readUInt32BE(at);
    if(at + 12 + length > png.length) {
      throw new Error('truncated PNG chunk');
    }
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    const type = typeAndData.subarray(0, 4).toString('latin1');
    if(crc32(typeAndData) !== png.readUInt32BE(at + 8 + length)) {
      throw new Error(`PNG chunk ${type} has a wrong CRC`);
    }
    const data = typeAndData.subarray(4);
    if(type === 'iTXt' && found === undefined) {
      const nul = data.indexOf(0);
      if(nul >= 0 && data.subarray(0, nul).toString('latin1') === pngKeyword) {
        const flag = data[nul + 1];
        const method = data[nul + 2];
        const langEnd = data.indexOf(0, nul + 3);
        const transEnd = langEnd < 0 ? -1 : data.indexOf(0, langEnd + 1);
        if(transEnd < 0) {
          throw new Error('malformed iTXt chunk');
        }
        const text = data.subarray(transEnd + 1);
        if(flag === 0) {
          found = text.toString('utf8');
        } else if(flag === 1 && method === 0) {
          found = inflateSync(text).toString('utf8');
        } else {
          throw new Error('iTXt chunk with an unknown compression');
        }
      }
    }
    at += 12 + length;
    if(type === 'IEND') {
      break;
    }
  }
  if(found === undefined) {
    throw new Error('the PNG carries no openbadgecredential chunk');
  }
  return found;
}

const xmlEntities = {lt: '<', gt: '>', amp: '&', quot: '"', apos: "'"};

function unescapeXML(text) {
  return text.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (_, e) => {
    if(e[0] !== '#') {
      return xmlEntities[e];
    }
    return String.fromCodePoint(e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10));
  });
}

// unbakeSVG returns the content of the SVG's <openbadges:credential>
// element (CDATA sections joined, other text unescaped), or its verify
// attribute when it has no content. The prefix must be bound to the Open
// Badges 3.0 namespace on the root element.
function unbakeSVG(svg) {
  const root = /<svg\b[^>]*>/.exec(svg);
  if(!root) {
    throw new Error('not an SVG image');
  }
  if(!/\sxmlns:openbadges\s*=\s*["']https:\/\/purl\.imsglobal\.org\/ob\/v3p0["']/.test(root[0])) {
    throw new Error('the SVG does not bind openbadges to the Open Badges 3.0 namespace');
  }
  const el = /<openbadges:credential\b([^>]*?)(\/>|>([\s\S]*?)<\/openbadges:credential\s*>)/.exec(svg);
  if(!el) {
    throw new Error('the SVG carries no openbadges:credential element');
  }
  const content = (el[3] || '').split(/(<!\[CDATA\[[\s\S]*?\]\]>)/).map(part =>
    part.startsWith('<![CDATA[') ? part.slice(9, -3) : unescapeXML(part)).join('').trim();
  if(content) {
    return content;
  }
  const verify = /\sverify\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(el[1]);
  if(verify) {
    return unescapeXML(verify[1] ?? verify[2]).trim();
  }
  throw new Error('the openbadges:credential element is empty');
}

for(const item of manifest.credentials) {
  const line = {name: item.name, form: item.form, checks: {}};
  try {
    let text;
    let form = item.form;
    if(form === 'png' || form === 'svg') {
      const image = readFileSync(resolve(base, item.path));
      try {
        text = (form === 'png' ? unbakePNG(image) : unbakeSVG(image.toString('utf8'))).trim();
      } catch(e) {
        line.checks.proof = fail(`unbake: ${errorText(e)}`);
        line.checks.schema = fail('no credential');
        line.checks.status = fail('no credential');
        process.stdout.write(JSON.stringify(line) + '\n');
        continue;
      }
      form = text.startsWith('{') ? 'json-ld' : 'vc-jwt';
      line.unbaked = form;
    } else {
      text = readFileSync(resolve(base, item.path), 'utf8').trim();
    }
    let credential;
    if(form === 'vc-jwt') {
      const jwt = await checkJWT(text);
      line.checks.proof = jwt.check;
      credential = jwt.credential;
      if(credential === undefined) {
        // The signature failed: still check what the payload claims.
        try {
          credential = jose.decodeJwt(text);
        } catch(e) {
          credential = null;
        }
      }
      if(credential && credential.proof !== undefined) {
        line.checks.proof = fail('a VC-JWT payload carries an embedded proof');
      }
    } else {
      credential = JSON.parse(text);
      line.checks.proof = await checkDataIntegrity(credential);
    }
    if(form !== 'status-list') {
      line.checks.schema = credential ? checkSchema(credential) : fail('no payload');
      line.checks.status = credential ? await checkStatus(credential) : fail('no payload');
    }
  } catch(e) {
    line.error = errorText(e);
  }
  process.stdout.write(JSON.stringify(line) + '\n');
}
