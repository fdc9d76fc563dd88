// Tool gateway benchmark, client side (run by bench/tool-gateway.sh; see docs/performance.md).
// Two MCP clients of the official SDK in one process, calling the same tool of the same connector program:
//   gateway: Streamable HTTP to the relay's loopback port -> relay -> gateway's Unix socket -> gateway -> connector (stdio)
//   direct:  stdio to a second instance of the connector program
// Calls alternate (gateway, direct, direct, gateway, ...: the first of each pair alternates) after a warm-up, so both
// see the same machine state. Prints one JSON object: medians, p90s, and the median of the paired differences.
//   node bench.mjs URL CALLS WARMUP TOOL ARGS_JSON -- CONNECTOR_COMMAND [ARG...]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, callsText, warmupText, tool, argsJson, dashdash, command, ...commandArgs] = process.argv.slice(2);
if (dashdash !== "--" || !command) {
  process.stderr.write("usage: node bench.mjs URL CALLS WARMUP TOOL ARGS_JSON -- CONNECTOR_COMMAND [ARG...]\n");
  process.exit(2);
}
const calls = Number(callsText);
const warmup = Number(warmupText);
const args = JSON.parse(argsJson);
const TIMEOUT = { timeout: 10000 };

const gateway = new Client({ name: "bench-gateway", version: "1" });
await gateway.connect(new StreamableHTTPClientTransport(new URL(url)), TIMEOUT);
const direct = new Client({ name: "bench-direct", version: "1" });
await direct.connect(new StdioClientTransport({ command, args: commandArgs, stderr: "ignore" }), TIMEOUT);

async function once(client) {
  const t = process.hrtime.bigint();
  const r = await client.callTool({ name: tool, arguments: args }, undefined, TIMEOUT);
  const micros = Number(process.hrtime.bigint() - t) / 1000;
  if (r.isError) {
    throw new Error(`${tool} answered with an error: ${JSON.stringify(r.content)}`);
  }
  return micros;
}

for (let i = 0; i < warmup; i++) {
  await once(gateway);
  await once(direct);
}
const g = [];
const d = [];
const diff = [];
for (let i = 0; i < calls; i++) {
  let a;
  let b;
  if (i % 2 === 0) {
    a = await once(gateway);
    b = await once(direct);
  } else {
    b = await once(direct);
    a = await once(gateway);
  }
  g.push(a);
  d.push(b);
  diff.push(a - b);
}
await gateway.close();
await direct.close();

function pct(values, p) {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const r = (x) => Math.round(x * 10) / 10;
console.log(JSON.stringify({
  calls,
  warmup,
  tool,
  gatewayMicros: { median: r(pct(g, 50)), p90: r(pct(g, 90)), p99: r(pct(g, 99)) },
  directMicros: { median: r(pct(d, 50)), p90: r(pct(d, 90)), p99: r(pct(d, 99)) },
  addedMicros: { medianOfDifferences: r(pct(diff, 50)), p90OfDifferences: r(pct(diff, 90)),
    differenceOfMedians: r(pct(g, 50) - pct(d, 50)) },
}));
