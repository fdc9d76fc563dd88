package io.jenkins.plugins.agentgate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.agentgate.core.approval.ApprovalEngine;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceSigner;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.egress.EgressConfig;
import io.jenkins.plugins.agentgate.core.egress.EgressRecord;
import io.jenkins.plugins.agentgate.core.gateway.ToolCallRecord;
import io.jenkins.plugins.agentgate.core.gateway.ToolVerdict;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.profile.Values;
import io.jenkins.plugins.agentgate.core.run.BundleEvidenceRecorder;
import io.jenkins.plugins.agentgate.core.run.EgressReport;
import io.jenkins.plugins.agentgate.core.run.GovernedRun;
import io.jenkins.plugins.agentgate.core.run.LeaseCredentialBinder;
import io.jenkins.plugins.agentgate.core.run.LedgerApprovalGate;
import io.jenkins.plugins.agentgate.core.run.McpToolGatewayProvider;
import io.jenkins.plugins.agentgate.core.run.ProxyEgressProvider;
import io.jenkins.plugins.agentgate.core.run.RunInput;
import io.jenkins.plugins.agentgate.core.run.RunOutcome;
import io.jenkins.plugins.agentgate.core.run.RunPhase;
import io.jenkins.plugins.agentgate.core.run.RunStatus;
import io.jenkins.plugins.agentgate.core.run.ToolReport;
import io.jenkins.plugins.agentgate.core.sandbox.DockerSandbox;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentgate run}: one governed local run of an agent command in the Docker sandbox. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run an agent command in the sandbox of its execution class: policy, approval, sandbox, cleanup, evidence.",
                "Every run, failed ones too, leaves an evidence bundle (check it with agentgate verify).",
                "Progress goes to stderr; the agent's output to stdout (to stderr with --json, which prints the outcome)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the agent succeeded", "1:the agent failed (non-zero exit, timeout, memory limit)",
                "2:usage or configuration error (including a --credential source that cannot be read)", "3:policy denied", "4:approval missing or refused",
                "6:sandbox or runtime error (Docker missing or not running, unsafe mount, daemon lost)"})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--class", required = true, paramLabel = "CLASS", converter = PolicyCommand.ClassConverter.class,
            description = "Execution class: draft, delivery or privileged.")
    ExecutionClass executionClass;

    @Option(names = "--task", required = true, paramLabel = "FILE", description = "Task prompt (UTF-8 text); the agent reads it at $AGENTGATE_TASK_FILE.")
    Path task;

    @Mixin
    CatalogOption catalog;

    @Mixin
    CredentialOptions credentials;

    @Option(names = "--connector-credential", paramLabel = "ID=SOURCE", converter = CredentialOptions.Converter.class,
            description = {"A credential of an MCP connector (catalog connectors: credentials), read from file:PATH or env:NAME",
                    "on the host by the tool gateway; it never enters the sandbox. Repeatable. See docs/tool-gateway.md."})
    List<CredentialSpec> connectorCredentials = new java.util.ArrayList<>();

    @Option(names = "--workspace", paramLabel = "DIR", defaultValue = ".", description = "Workspace mounted at /workspace (default: current directory).")
    Path workspace;

    @Option(names = "--image", paramLabel = "IMAGE", description = "Container image (default: the profile's default image).")
    String image;

    @Option(names = "--tool", paramLabel = "NAME", description = "A tool the agent will use (repeatable); must be in the profile's allowlist.")
    List<String> tools;

    @Option(names = "--network", paramLabel = "DEST",
            description = "A destination host[:port] to open (repeatable); must be in the profile's allowlist. Default: all it allows.")
    List<String> network;

    @Option(names = "--evidence-dir", paramLabel = "DIR", description = {"Directory for the run's evidence bundles (outside the workspace).",
            "Default: ./agentgate-evidence when the current directory is outside the workspace; required otherwise."})
    Path evidenceDir;

    @Option(names = "--sign-key", paramLabel = "KEY.pem", description = "PKCS#8 PEM private key (Ed25519 or P-256) that signs the evidence; "
            + "required where the profile requires signed evidence (Privileged by default).")
    Path signKey;

    @Option(names = "--approvals", paramLabel = "FILE", description = {"Approvals ledger that gates the run (Delivery, Privileged).",
            "When approval is missing the run exits 4 and writes the request file for agentgate approve next to it."})
    Path approvals;

    @Option(names = "--model", paramLabel = "ID", description = "The model the agent uses (recorded in the evidence; required evidence for Privileged runs).")
    String model;

    @Option(names = "--model-param", paramLabel = "KEY=VALUE", description = "A model parameter to record, e.g. temperature=0.2 (repeatable).")
    Map<String, String> modelParams;

    @Option(names = "--artifact", paramLabel = "PATH", description = "A final artifact, relative to the workspace, copied into the evidence (repeatable).")
    List<String> artifacts;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Wall-clock limit, e.g. 90s or 15m; at most the profile's.")
    String timeout;

    @Option(names = "--json", description = "Print the outcome as JSON on stdout.")
    boolean json;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The agent's command and arguments, after '--'.")
    List<String> command;

    /**
     * Adjusts each run's egress proxy config. Production keeps {@link EgressConfig#of}'s defaults (host resolver,
     * public addresses only); in-process tests set a fixed resolver through the Java API, never through a flag.
     */
    UnaryOperator<EgressConfig> egressConfig = UnaryOperator.identity();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String text;
        try {
            text = Files.readString(task, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            return usage(err, "--task '" + task + "' is not UTF-8 text; expected a UTF-8 task file");
        } catch (IOException e) {
            return usage(err, "--task '" + task + "' cannot be read (" + e.getMessage() + "); expected a readable task file");
        }
        if (!Files.isDirectory(workspace)) {
            return usage(err, "--workspace '" + workspace + "' is not a directory; expected the directory the agent works in");
        }
        Duration limit = null;
        if (timeout != null) {
            try {
                limit = Values.duration(timeout);
            } catch (IllegalArgumentException e) {
                return usage(err, "--timeout: " + e.getMessage());
            }
        }
        Path evidenceRoot = evidenceDir;
        try {
            Path ws = workspace.toRealPath();
            if (evidenceRoot == null) {
                Path dflt = Path.of("").toRealPath().resolve(DEFAULT_EVIDENCE_DIR);
                if (dflt.startsWith(ws)) {
                    return usage(err, "--evidence-dir is required here: the default ./" + DEFAULT_EVIDENCE_DIR + " (" + dflt
                            + ") would be inside the workspace " + ws + "; expected a directory outside the workspace, which the "
                            + "sandbox cannot write");
                }
                evidenceRoot = dflt;
            }
            Path ev;
            try {
                Files.createDirectories(evidenceRoot);
                ev = evidenceRoot.toRealPath();
            } catch (IOException e) {
                return usage(err, "--evidence-dir '" + evidenceRoot + "' cannot be created (" + e.getMessage() + ")");
            }
            if (ev.startsWith(ws)) {
                return usage(err, "--evidence-dir '" + evidenceRoot + "' is inside the workspace " + ws
                        + "; expected a directory the sandbox cannot write");
            }
        } catch (IOException e) {
            return usage(err, "--workspace '" + workspace + "' cannot be resolved (" + e.getMessage() + ")");
        }
        EvidenceSigner signer = null;
        if (signKey != null) {
            try {
                signer = EvidenceSigner.fromPem(signKey);
            } catch (IOException | RuntimeException e) {
                return usage(err, "--sign-key: " + e.getMessage());
            }
        }
        if (approvals != null && Files.isDirectory(approvals)) {
            return usage(err, "--approvals '" + approvals + "' is a directory; expected a ledger file (created when missing)");
        }
        BundleEvidenceRecorder.Builder recorder = BundleEvidenceRecorder.builder(evidenceRoot, text).signer(signer)
                .agentgateVersion(AgentGateCli.version());
        if (model != null) {
            if (model.isBlank()) {
                return usage(err, "--model '' is not valid; expected a model id, e.g. claude-sonnet-4");
            }
            recorder.model(model, modelParams == null ? Map.of() : new LinkedHashMap<>(modelParams));
        } else if (modelParams != null) {
            return usage(err, "--model-param needs --model; expected the model id the parameters belong to");
        }
        try {
            if (artifacts != null) {
                artifacts.forEach(recorder::artifact);
            }
        } catch (IllegalArgumentException e) {
            return usage(err, "--artifact: " + e.getMessage());
        }
        ProfileCatalog c = catalog.loadOrReport(err);
        if (c == null) {
            return ExitCodes.USAGE;
        }
        CliSecretSource secrets;
        CliSecretSource connectorSecrets;
        try {
            secrets = credentials.source();
            connectorSecrets = new CliSecretSource(connectorCredentials);
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage().replace("--credential '", "--credential/--connector-credential '"));
        }
        List<String> connectorProblems = connectorSecrets.problems();
        if (!connectorProblems.isEmpty()) {
            return usage(err, "--connector-credential: " + String.join("; ", connectorProblems));
        }
        recorder.catalog(c);
        RunRequest request = RunRequest.builder(executionClass).image(image).tools(tools).network(network).timeout(limit)
                .credentials(credentials.requests()).requester(System.getProperty("user.name")).build();
        // Values are read only after the policy granted the ids, when the leases are issued.
        LeaseCredentialBinder binder = new LeaseCredentialBinder(secrets, Clock.systemUTC());

        Instant t0 = Instant.now();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "agentgate-progress");
            t.setDaemon(true);
            return t;
        });
        Utf8WriterStream agentOutput = json ? new Utf8WriterStream(err) : new Utf8WriterStream(out);
        String docker = System.getProperty("agentgate.docker", System.getenv().getOrDefault("AGENTGATE_DOCKER", "docker"));
        // SIGTERM / Ctrl-C: interrupt the run so the sandbox removes its container, then let the JVM go.
        Thread runThread = Thread.currentThread();
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            runThread.interrupt();
            try {
                finished.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "agentgate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        RunOutcome o;
        try {
            o = GovernedRun.builder(new DockerSandbox(new ProcessCommandRunner(), docker, Clock.systemUTC()))
                    .listener((phase, message) -> {
                        progress(err, phase, message, t0);
                        if (phase == RunPhase.AGENT_RUNNING) {
                            Warmup.startEvidence(); // the evidence is written after the agent; the JVM idles meanwhile
                            Instant started = Instant.now();
                            ticker.scheduleAtFixedRate(() -> progress(err, RunPhase.AGENT_RUNNING,
                                    "still running, " + Duration.between(started, Instant.now()).toSeconds() + " s elapsed", t0),
                                    10, 10, TimeUnit.SECONDS);
                        } else if (phase == RunPhase.AGENT_DONE) {
                            ticker.shutdownNow();
                        }
                    })
                    .credentials(binder)
                    .approvals(new LedgerApprovalGate(ApprovalEngine.LOCAL, c.templates(), approvals, Clock.systemUTC()))
                    .evidence(recorder.build())
                    // Allowlist plans only: a per-run proxy, the sandbox's only way out; each attempt is a progress line.
                    .egress(new ProxyEgressProvider(cfg -> egressConfig.apply(cfg)
                            .withListener(r -> progress(err, RunPhase.AGENT_RUNNING, r.describe(), t0))))
                    // Plans with MCP tools only: a per-run gateway, their connectors on this host; each call is a progress line.
                    .tools(new McpToolGatewayProvider(connectorSecrets,
                            cfg -> cfg.withListener(r -> progress(err, RunPhase.AGENT_RUNNING, r.describe(), t0))))
                    .build()
                    .execute(new RunInput(c, request, text, workspace, command, agentOutput));
        } finally {
            ticker.shutdownNow();
            agentOutput.flush();
            finished.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running and waits for the latch released above
        }
        int exit = exitCode(o.status());
        if (o.status() == RunStatus.RUNTIME_ERROR && o.sandbox() == null && binder.leaseFailure().isPresent()) {
            // A credential source that cannot be read (or a value that cannot be leased) is configuration.
            exit = ExitCodes.USAGE;
        }
        if (json) {
            out.println(CanonicalJson.pretty(toJson(o, exit)));
        }
        summary(err, o, exit);
        if (o.status() == RunStatus.RUNTIME_ERROR && signer == null && o.plan() != null
                && o.plan().effective().evidence().requireSignature()) {
            err.println("agentgate: profile " + o.plan().effective().id() + " requires signed evidence: pass --sign-key KEY.pem "
                    + "(openssl genpkey -algorithm ed25519 -out KEY.pem)");
        }
        out.flush();
        err.flush();
        return exit;
    }

    static final String DEFAULT_EVIDENCE_DIR = "agentgate-evidence";

    static int exitCode(RunStatus s) {
        return switch (s) {
            case SUCCEEDED -> ExitCodes.OK;
            case AGENT_FAILED -> ExitCodes.AGENT_FAILED;
            case DENIED -> ExitCodes.POLICY_DENIED;
            case APPROVAL_REFUSED -> ExitCodes.APPROVAL_MISSING;
            case RUNTIME_ERROR -> ExitCodes.RUNTIME_ERROR;
        };
    }

    private static int usage(PrintWriter err, String message) {
        err.println("agentgate: " + message);
        return ExitCodes.USAGE;
    }

    private static void progress(PrintWriter err, RunPhase phase, String message, Instant t0) {
        synchronized (err) {
            err.printf(Locale.ROOT, "agentgate: [%6.2fs] %-13s %s%n", Duration.between(t0, Instant.now()).toMillis() / 1000.0,
                    phase.name().toLowerCase(Locale.ROOT).replace('_', '-'), message);
            err.flush();
        }
    }

    private static void summary(PrintWriter err, RunOutcome o, int exit) {
        StringBuilder s = new StringBuilder("agentgate: run ").append(o.runId()).append(' ').append(o.status().id());
        if (o.plan() != null) {
            s.append(" | profile ").append(o.plan().effective().id()).append(" policy ").append(shortHash(o.plan().policyHash()));
        }
        SandboxResult r = o.sandbox();
        if (r != null) {
            s.append(" | ").append(r.termination().id());
            if (r.exitCode() != null) {
                s.append(" status ").append(r.exitCode());
            }
            s.append(" in ").append(r.duration().toMillis()).append(" ms, output ").append(r.outputBytesSeen()).append(" bytes");
            if (r.truncated()) {
                s.append(" (truncated to ").append(r.outputBytesKept()).append(')');
            }
        }
        s.append(" | exit ").append(exit);
        if (o.evidence() != null) {
            s.append(" | evidence ").append(o.evidence());
        }
        err.println(s);
        if (o.egress() != null) {
            err.println("agentgate: egress: " + o.egress().describe());
            o.egress().summary().deniedDestinations().forEach(d -> err.println("agentgate:   denied " + d));
        }
        if (o.tools() != null) {
            err.println("agentgate: tools: " + o.tools().describe());
            o.tools().records().stream().filter(c -> c.verdict() == ToolVerdict.DENIED).map(ToolCallRecord::tool).distinct()
                    .forEach(t -> err.println("agentgate:   denied tool " + t));
            if (!o.tools().missing().isEmpty()) {
                err.println("agentgate:   declared but not offered by their connector: " + o.tools().missing());
            }
        }
        if (!o.message().isEmpty()) {
            err.println("agentgate: " + o.message());
        }
        if (o.status() == RunStatus.APPROVAL_REFUSED && o.approval() != null) {
            if (o.approval().requestFile() != null) {
                err.println("agentgate: to approve, someone other than the requester (" + o.request().requester() + ") runs: agentgate approve "
                        + o.approval().requestFile() + " --as USER [--groups G1,G2]; then run the same command again");
            } else if (o.approval().status() != null) {
                err.println("agentgate: pass --approvals FILE (an approvals ledger; created when missing) to gate this run on "
                        + "recorded approvals: the run then writes the request file to approve");
            }
        }
        if (o.status() == RunStatus.DENIED) {
            o.policy().denials().forEach(d -> err.println("agentgate:   " + d.format()));
        }
    }

    static String shortHash(String h) {
        String hex = h.startsWith("sha256:") ? h.substring(7) : h;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    static ObjectNode toJson(RunOutcome o, int exit) {
        var m = CanonicalJson.mapper();
        ObjectNode n = m.createObjectNode();
        n.put("runId", o.runId());
        n.put("status", o.status().id());
        n.put("exitCode", exit);
        n.put("message", o.message());
        n.put("executionClass", o.request().executionClass().id());
        n.put("promptSha256", o.promptSha256());
        n.put("workspace", o.workspace().toAbsolutePath().normalize().toString());
        ArrayNode cmd = n.putArray("command");
        o.command().forEach(cmd::add);
        n.set("decisions", m.valueToTree(o.policy().decisions()));
        if (o.plan() != null) {
            n.put("profile", o.plan().effective().id());
            n.put("policyHash", o.plan().policyHash());
            n.put("image", o.plan().image());
        }
        if (o.approval() != null) {
            n.set("approval", m.valueToTree(o.approval()));
            n.put("approvalState", o.approval().status() != null ? o.approval().status().state().id()
                    : o.approval().granted() ? "approved" : "refused");
        } else {
            n.putNull("approvalState");
        }
        if (o.sandbox() != null) {
            n.set("sandbox", m.valueToTree(o.sandbox()));
        }
        // Lease records: ids, modes, targets, fingerprints, expiry and revocation; never values.
        n.set("credentials", m.valueToTree(o.credentials().leases()));
        ArrayNode reaped = n.putArray("reaped");
        o.reaped().forEach(reaped::add);
        n.put("startedAt", o.startedAt().toString());
        n.put("endedAt", o.endedAt().toString());
        n.put("evidence", o.evidence());
        EgressReport e = o.egress();
        if (e != null) {
            ObjectNode eg = n.putObject("egress");
            eg.put("allowed", e.summary().allowed());
            eg.put("unauthorized", e.unauthorized());
            eg.put("relaySha256", e.relaySha256());
            eg.set("summary", m.valueToTree(e.summary()));
            eg.set("records", m.valueToTree(e.records()));
        }
        ToolReport t = o.tools();
        if (t != null) {
            ObjectNode tn = n.putObject("tools");
            tn.put("calls", t.summary().calls());
            tn.put("allowed", t.summary().allowed());
            tn.put("unauthorized", t.unauthorized());
            tn.put("failed", t.summary().failed());
            tn.set("served", m.valueToTree(t.served()));
            tn.set("missing", m.valueToTree(t.missing()));
            tn.set("summary", m.valueToTree(t.summary()));
            tn.set("records", m.valueToTree(t.records()));
        }
        return n;
    }
}
