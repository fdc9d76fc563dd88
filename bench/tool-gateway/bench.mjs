// Tool gateway benchmark, client side (run by bench/tool-gateway.sh; see docs/performance.md).
// Three MCP clients of the official SDK in one process, calling the same tool of the same connector program:
//   gateway:     Streamable HTTP to the relay's loopback port -> relay -> gateway's Unix socket -> gateway -> connector (stdio)
//   direct:      stdio to a second instance of the connector program (the baseline: the connector called directly)
//   directHttp:  Streamable HTTP to a third instance serving HTTP itself (the transport an agent in a sandbox must use
//                anyway: it cannot start a host-side program; this isolates what relay + gateway add on top of HTTP)
// After a warm-up, each round calls all three in a rotating order, so all see the same machine state. Prints one JSON
// object: per-path median, p90, p99 (microseconds) and the medians of the per-round differences.
//   node bench.mjs GATEWAY_URL DIRECT_HTTP_URL CALLS WARMUP TOOL ARGS_JSON -- CONNECTOR_COMMAND [ARG...]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, directUrl, callsText, warmupText, tool, argsJson, dashdash, command, ...commandArgs] = process.argv.slice(2);
if (dashdash !== "--" || !command) {
  process.stderr.write("usage: node bench.mjs GATEWAY_URL DIRECT_HTTP_URL CALLS WARMUP TOOL ARGS_JSON -- CONNECTOR_COMMAND [ARG...]\n");
  process.exit(2);
}
const calls = Number(callsText);
const warmup = Number(warmupText);
const args = JSON.parse(argsJson);
const TIMEOUT = { timeout: 10000 };

async function connect(name, transport) {
  const c = new Client({ name, version: "1" });
  await c.connect(transport, TIMEOUT);
  return c;
}
const clients = {
  gateway: await connect("bench-gateway", new StreamableHTTPClientTransport(new URL(url))),
  direct: await connect("bench-direct", new StdioClientTransport({ command, args: commandArgs, stderr: "ignore" })),
  directHttp: await connect("bench-direct-http", new StreamableHTTPClientTransport(new URL(directUrl))),
};
const names = Object.keys(clients);

async function once(name) {
  const t = process.hrtime.bigint();
  const r = await clients[name].callTool({ name: tool, arguments: args }, undefined, TIMEOUT);
  const micros = Number(process.hrtime.bigint() - t) / 1000;
  if (r.isError) {
    throw new Error(`${tool} through ${name} answered with an error: ${JSON.stringify(r.content)}`);
  }
  return micros;
}

for (let i = 0; i < warmup; i++) {
  for (const n of names) await once(n);
}
const samples = Object.fromEntries(names.map((n) => [n, []]));
for (let i = 0; i < calls; i++) {
  for (let k = 0; k < names.length; k++) {
    const n = names[(i + k) % names.length];
    samples[n].push(await once(n));
  }
}
for (const c of Object.values(clients)) await c.close();

function pct(values, p) {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const r = (x) => Math.round(x * 10) / 10;
const stats = (v) => ({ median: r(pct(v, 50)), p90: r(pct(v, 90)), p99: r(pct(v, 99)) });
const diff = (a, b) => samples[a].map((x, i) => x - samples[b][i]);
console.log(JSON.stringify({
  calls,
  warmup,
  tool,
  micros: Object.fromEntries(names.map((n) => [n, stats(samples[n])])),
  addedVsDirectStdio: { medianOfDifferences: r(pct(diff("gateway", "direct"), 50)), p90OfDifferences: r(pct(diff("gateway", "direct"), 90)) },
  addedVsDirectHttp: { medianOfDifferences: r(pct(diff("gateway", "directHttp"), 50)), p90OfDifferences: r(pct(diff("gateway", "directHttp"), 90)) },
}));
