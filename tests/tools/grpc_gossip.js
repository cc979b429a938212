// grpc_gossip.js: an independent gRPC client (@grpc/grpc-js from npm, with
// @grpc/proto-loader reading proto/*.proto) of
// event_store.client.gossip.Gossip/Read, for the integration tests.
//
// Usage: node grpc_gossip.js PROTO_DIR HOST:PORT [--ca F [--cert F --key F]]
//        [--method Read|Other] [--pick leader|follower]
// With --ca: TLS (ALPN h2); without: plain HTTP/2 (prior knowledge).
// Prints one JSON line: code (status name), details, members (id as text,
// ticks, state, alive, address, port), and with --pick the chosen member.
'use strict';
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const argv = process.argv.slice(2);
const protoDir = argv.shift();
const target = argv.shift();
const opt = {};
for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];

const def = loader.loadSync(path.join(protoDir, 'gossip.proto'), {
  includeDirs: [protoDir], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
});
const pkg = grpc.loadPackageDefinition(def);
const Gossip = pkg.event_store.client.gossip.Gossip;
let creds = grpc.credentials.createInsecure();
if (opt.ca) {
  creds = grpc.credentials.createSsl(fs.readFileSync(opt.ca),
    opt.key ? fs.readFileSync(opt.key) : null,
    opt.cert ? fs.readFileSync(opt.cert) : null);
}
const client = new Gossip(target, creds);
const codeName = (c) => Object.keys(grpc.status).find((k) => grpc.status[k] === c);

function uuidText(u) {
  if (!u) return null;
  if (u.value === 'string') return u.string;
  const h = (v) => (BigInt.asUintN(64, BigInt(v))).toString(16).padStart(16, '0');
  const s = h(u.structured.most_significant_bits) + h(u.structured.least_significant_bits);
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function done(out) {
  process.stdout.write(JSON.stringify(out) + '\n');
  client.close();
}

const deadline = new Date(Date.now() + 5000);
const cb = (err, res) => {
  const out = { code: 'OK', details: '', members: [] };
  if (err) {
    out.code = codeName(err.code);
    out.details = err.details || '';
    return done(out);
  }
  for (const m of res.members) {
    out.members.push({
      id: uuidText(m.instance_id), ticks: m.time_stamp, state: m.state,
      alive: m.is_alive, address: m.http_end_point.address, port: m.http_end_point.port,
    });
  }
  if (opt.pick) {
    const want = opt.pick === 'leader' ? 'Leader' : 'Follower';
    out.picked = out.members.find((m) => m.alive && m.state === want) || null;
  }
  return done(out);
};
if (opt.method && opt.method !== 'Read') {
  // an unknown method of the same service, through a generic call
  client.makeUnaryRequest(`/event_store.client.gossip.Gossip/${opt.method}`,
    (x) => x, (b) => b, Buffer.alloc(0), { deadline }, cb);
} else {
  client.Read({}, { deadline }, cb);
}
