// A small MCP client, run inside the sandbox by Agent Gate's tests and the benchmark (examples/build-image.sh --mcp).
// It reads the MCP client configuration Agent Gate writes ($AGENTGATE_MCP_CONFIG, the JSON form agent CLIs read), connects
// with the official SDK the way the entry says — stdio ({"mcpServers":{"agentgate":{"command":...,"args":[...]}}}: the
// SDK starts the command, Agent Gate's relay in --stdio mode) or Streamable HTTP ({"type":"http","url":...}, the form in
// $AGENTGATE_MCP_HTTP_CONFIG) — runs the operations given as a JSON array, and prints one JSON line per operation:
//
//   node mcp-client.mjs '[{"op":"list"},{"op":"call","name":"echo","arguments":{"message":"hi"}}]'
//   {"op":"list","tools":["echo"]}
//   {"op":"call","name":"echo","isError":false,"text":"Echo: hi"}
//   {"op":"call","name":"get-env","error":{"code":-32602,"message":"..."}}     (a JSON-RPC error)
//
// Exit status: 0 when every operation got an answer (a refusal is an answer), 2 on bad input, 3 when the gateway
// cannot be reached or an operation times out.
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const TIMEOUT_MS = Number(process.env.AGENTGATE_MCP_TIMEOUT_MS || 20000);

function fail(status, message) {
  process.stderr.write(`mcp-client: ${message}\n`);
  process.exit(status);
}

function gatewayTransport() {
  const file = process.env.AGENTGATE_MCP_CONFIG;
  if (!file) {
    fail(2, "AGENTGATE_MCP_CONFIG is not set; expected the path of Agent Gate's MCP client configuration");
  }
  let config;
  try {
    config = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    fail(2, `cannot read ${file}: ${e.message}`);
  }
  const server = config?.mcpServers?.agentgate;
  if (server && typeof server.command === "string" && (server.type === undefined || server.type === "stdio")) {
    const args = Array.isArray(server.args) ? server.args.map(String) : [];
    return new StdioClientTransport({ command: server.command, args, stderr: "inherit" });
  }
  if (server && server.type === "http" && typeof server.url === "string") {
    return new StreamableHTTPClientTransport(new URL(server.url));
  }
  fail(2, `${file} has no mcpServers.agentgate {command, args} or {type: "http", url}; got ${JSON.stringify(config)}`);
}

function text(result) {
  return (result.content || []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

const ops = (() => {
  try {
    const parsed = JSON.parse(process.argv[2] || "");
    if (!Array.isArray(parsed)) throw new Error("not an array");
    return parsed;
  } catch (e) {
    fail(2, `expected one argument, a JSON array of operations ({"op":"list"} or {"op":"call","name":...,"arguments":{...}}): ${e.message}`);
  }
})();

const client = new Client({ name: "agentgate-test-client", version: "1.0.0" });
try {
  await client.connect(gatewayTransport(), { timeout: TIMEOUT_MS });
} catch (e) {
  fail(3, `cannot connect to the gateway: ${e.message}`);
}
let status = 0;
for (const op of ops) {
  try {
    if (op.op === "list") {
      const r = await client.listTools(undefined, { timeout: TIMEOUT_MS });
      console.log(JSON.stringify({ op: "list", tools: r.tools.map((t) => t.name) }));
    } else if (op.op === "call") {
      const r = await client.callTool({ name: op.name, arguments: op.arguments || {} }, undefined, { timeout: TIMEOUT_MS });
      console.log(JSON.stringify({ op: "call", name: op.name, isError: r.isError === true, text: text(r) }));
    } else {
      fail(2, `unknown operation ${JSON.stringify(op)}; expected list or call`);
    }
  } catch (e) {
    if (typeof e.code === "number" && e.code !== -32001) {
      console.log(JSON.stringify({ op: op.op, name: op.name, error: { code: e.code, message: e.message } }));
    } else {
      // -32001 is the SDK's own request timeout: no answer came
      console.log(JSON.stringify({ op: op.op, name: op.name, error: { code: e.code ?? null, message: String(e.message) }, noAnswer: true }));
      status = 3;
    }
  }
}
await client.close();
process.exit(status);
