package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.gateway.GatewayConfig;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.policy.PolicyEngine;
import io.jenkins.plugins.agentgate.core.policy.PolicyResult;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.profile.ImageReference;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.sandbox.DockerSandbox;
import io.jenkins.plugins.agentgate.core.sandbox.ProtectedPaths;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxException;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxNetwork;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxResult;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSession;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpec;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpecs;
import io.jenkins.plugins.agentgate.core.sandbox.Termination;
import io.jenkins.plugins.agentgate.core.sandbox.ToolChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The governed run: policy → approval → (egress, tool gateway, credentials) → sandbox → evidence. Every seam is a small
 * interface with a safe default; the evidence recorder sees every outcome, denials and runtime errors included.
 *
 * <pre>
 * RunOutcome o = GovernedRun.builder(new DockerSandbox(runner))
 *         .approvals(gate).credentials(binder).egress(proxy).tools(gateway).evidence(recorder).listener(progress)
 *         .build()
 *         .execute(new RunInput(catalog, request, taskText, workspace, command, output));
 * </pre>
 */
public final class GovernedRun {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DockerSandbox sandbox;
    private final PolicyEngine policy;
    private final SandboxSpecs specs;
    private final ApprovalGate approvals;
    private final CredentialBinder credentials;
    private final EgressProvider egress;
    private final ToolGatewayProvider tools;
    private final EvidenceRecorder evidence;
    private final RunListener listener;
    private final Clock clock;
    private final Path scratch;

    private GovernedRun(Builder b) {
        this.sandbox = Objects.requireNonNull(b.sandbox, "sandbox");
        this.policy = b.policy;
        this.specs = b.specs;
        this.approvals = b.approvals;
        this.credentials = b.credentials;
        this.egress = b.egress;
        this.tools = b.tools;
        this.evidence = b.evidence;
        this.listener = b.listener;
        this.clock = b.clock;
        this.scratch = b.scratch;
    }

    public static Builder builder(DockerSandbox sandbox) {
        return new Builder(sandbox);
    }

    public RunOutcome execute(RunInput in) {
        Instant start = clock.instant();
        String runId = ID_TIME.format(start) + "-" + HexFormat.of().formatHex(bytes(4));
        String promptSha = Digests.sha256Hex(in.taskText());
        Out o = new Out(runId, in, start, promptSha);
        // Every progress line and message passes the credential masker once leases exist.
        RunListener listener = (phase, message) -> this.listener.phase(phase, o.mask(message));
        try {
            RunOutcome outcome = run(in, o, listener);
            listener.phase(RunPhase.EVIDENCE, evidence == EvidenceRecorder.NONE ? "no evidence recorder configured" : "recording evidence");
            try {
                String ref = evidence.record(outcome);
                outcome = outcome.withEvidence(ref);
                if (ref != null) {
                    listener.phase(RunPhase.EVIDENCE, "bundle " + ref);
                }
            } catch (EvidenceIncompleteException e) {
                listener.phase(RunPhase.EVIDENCE, "bundle " + e.evidence() + " (incomplete: the run fails)");
                outcome = outcome.withEvidence(e.evidence()).failedBy(o.mask(e.getMessage()));
            } catch (Exception e) {
                outcome = outcome.asRuntimeError("evidence could not be recorded: " + e.getMessage());
            }
            listener.phase(RunPhase.DONE, outcome.status().id() + (outcome.message().isEmpty() ? "" : ": " + outcome.message()));
            return outcome;
        } finally {
            if (o.binding != null) {
                o.binding.release();
            }
        }
    }

    private RunOutcome run(RunInput in, Out o, RunListener listener) {
        listener.phase(RunPhase.POLICY, "deciding class " + in.request().executionClass().id() + " against " + in.catalog().source());
        // Read-only engine checks overlap with the decision; a denied run just drops them.
        String asked = in.request().image();
        DockerSandbox.Preflight pre = asked != null && ImageReference.isValid(asked) ? sandbox.preflight(asked) : null;
        PolicyResult decided = policy.decide(in.catalog(), in.request());
        o.policy = decided;
        String runId = o.runId;
        Instant start = o.start;
        String promptSha = o.promptSha;
        if (!decided.allowed()) {
            return o.done(RunStatus.DENIED, "policy denied: " + decided.denials().stream().map(d -> d.format()).toList(), null);
        }
        RunPlan plan = decided.plan();
        listener.phase(RunPhase.POLICY, "allowed: profile " + plan.effective().id() + " policy " + plan.policyHash()
                + " image " + plan.image());
        RunContext ctx = new RunContext(runId, in.request(), decided, plan, in.taskText(), promptSha, in.workspace(), in.command(), start);
        listener.phase(RunPhase.APPROVAL, "checking approval");
        try {
            o.approval = approvals.check(ctx);
        } catch (Exception e) {
            return o.done(RunStatus.RUNTIME_ERROR, "approval check failed: " + e.getMessage(), null);
        }
        if (!o.approval.granted()) {
            return o.done(RunStatus.APPROVAL_REFUSED, o.approval.reason(), null);
        }
        listener.phase(RunPhase.APPROVAL, o.approval.reason());

        Path dir = null;
        EgressProvider.Attachment net = null;
        ToolGatewayProvider.Attachment gateway = null;
        SandboxResult result = null;
        List<String> absentProtected = List.of();
        String error = null;
        try {
            evidence.beforeSandbox(ctx);
            if (scratch.toAbsolutePath().normalize().startsWith(in.workspace().toAbsolutePath().normalize())) {
                throw new SandboxException("scratch directory " + scratch + " is inside the workspace; expected a directory the agent cannot write");
            }
            dir = Files.createTempDirectory(scratch, "agentgate-" + runId + "-");
            Path prompt = dir.resolve("task.md");
            Files.writeString(prompt, in.taskText(), StandardCharsets.UTF_8);
            // Readable by the sandbox user (not the host user); the task text is not secret, it goes into evidence.
            Files.setPosixFilePermissions(prompt, PosixFilePermissions.fromString("r--r--r--"));
            SandboxNetwork network = null;
            if (plan.effective().network().mode() == NetworkMode.ALLOWLIST && egress != null) {
                net = egress.attach(ctx);
                network = net.network();
            }
            ToolChannel channel = null;
            if (GatewayConfig.needed(plan)) {
                List<String> names = plan.effective().tools().mcp().stream().map(McpTool::name).toList();
                if (tools == null) {
                    throw new SandboxException("profile " + plan.effective().id() + " grants MCP tools " + names
                            + ", but no tool gateway is attached to enforce them, so the run is refused; expected a profile without"
                            + " MCP tools, or a tool gateway (GovernedRun.builder(...).tools(new McpToolGatewayProvider(secrets)))");
                }
                listener.phase(RunPhase.SANDBOX_START, "starting the tool gateway for " + names);
                gateway = tools.attach(ctx);
                channel = gateway.channel();
            }
            SandboxSpec spec = specs.fromPlan(plan, in.workspace(), prompt, runId, in.command(), network, channel, clock.instant());
            o.binding = credentials.bind(ctx);
            CredentialBinding binding = o.binding;
            spec = binding.apply(spec);
            listener.phase(RunPhase.SANDBOX_START, "creating container agentgate-" + runId + " (network " + spec.network().dockerNetwork()
                    + (spec.network().isProxied() ? " + egress proxy" : "") + (spec.network().hasTools() ? " + tool gateway" : "") + ", user " + spec.uid() + ":" + spec.gid() + ", timeout " + spec.timeout() + ")");
            absentProtected = ProtectedPaths.absent(in.workspace(), plan.effective().filesystem().protectedPaths());
            try (SandboxSession session = pre != null ? sandbox.create(spec, pre) : sandbox.create(spec)) {
                o.reaped = session.reaped();
                if (!o.reaped.isEmpty()) {
                    listener.phase(RunPhase.SANDBOX_START, "reaper removed " + o.reaped.size() + " orphaned container(s)");
                }
                binding.created(session);
                listener.phase(RunPhase.AGENT_RUNNING, "agent running in " + session.containerId().substring(0, 12)
                        + " (engine " + session.engineVersion() + ", image " + session.image().id().substring(7, 19) + ")");
                result = session.run(in.output(), binding.outputFilter());
                listener.phase(RunPhase.AGENT_DONE, describe(result));
                listener.phase(RunPhase.CLEANUP, result.removed() ? "container removed" : result.message());
            }
        } catch (SandboxException e) {
            error = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted before the agent ran";
        } catch (Exception e) {
            error = e.getMessage() == null ? e.toString() : e.getMessage();
        } finally {
            error = closeAll(error, o.binding, net, gateway, dir);
        }
        if (gateway != null) {
            // read after close: calls still in flight are recorded (as failed) only then
            o.tools = gateway.report();
            if (o.tools != null) {
                listener.phase(RunPhase.CLEANUP, "tool gateway closed: " + o.tools.describe());
            }
        }
        if (net != null) {
            // read after close: the proxy's records and summary are complete only then
            o.egress = net.report();
            if (o.egress != null) {
                listener.phase(RunPhase.CLEANUP, "egress proxy closed: " + o.egress.describe());
            }
        }
        o.sandbox = result;
        if (result == null) {
            return o.done(RunStatus.RUNTIME_ERROR, error, null);
        }
        RunStatus status = switch (result.termination()) {
            case EXITED -> result.succeeded() ? RunStatus.SUCCEEDED : RunStatus.AGENT_FAILED;
            case TIMEOUT, OOM_KILLED -> RunStatus.AGENT_FAILED;
            case INTERRUPTED, RUNTIME_ERROR -> RunStatus.RUNTIME_ERROR;
        };
        String msg = result.termination() == Termination.EXITED && !result.succeeded()
                ? "the agent exited with status " + result.exitCode() : result.message();
        List<String> created = ProtectedPaths.created(in.workspace(), absentProtected);
        if (!created.isEmpty() && status != RunStatus.RUNTIME_ERROR) {
            status = RunStatus.AGENT_FAILED;
            String why = "the agent created protected path(s) " + created + "; expected protected paths to stay unchanged";
            msg = msg.isEmpty() ? why : msg + "; " + why;
        }
        if (error != null) {
            status = RunStatus.RUNTIME_ERROR;
            msg = msg.isEmpty() ? error : msg + "; " + error;
        }
        return o.done(status, msg, result);
    }

    private String closeAll(String error, CredentialBinding binding, EgressProvider.Attachment net,
                            ToolGatewayProvider.Attachment gateway, Path dir) {
        StringBuilder e = new StringBuilder(error == null ? "" : error);
        if (binding != null) {
            try {
                binding.close();
            } catch (Exception x) {
                e.append(e.length() == 0 ? "" : "; ").append("credential revocation failed: ").append(x.getMessage());
            }
        }
        if (net != null) {
            try {
                net.close();
            } catch (Exception x) {
                e.append(e.length() == 0 ? "" : "; ").append("egress teardown failed: ").append(x.getMessage());
            }
        }
        if (gateway != null) {
            try {
                gateway.close();
            } catch (Exception x) {
                e.append(e.length() == 0 ? "" : "; ").append("tool gateway teardown failed: ").append(x.getMessage());
            }
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(dir);
            } catch (IOException x) {
                // a leftover task file in the scratch directory is harmless (not secret)
            }
        }
        return e.length() == 0 ? null : e.toString();
    }

    static String describe(SandboxResult r) {
        String s = switch (r.termination()) {
            case EXITED -> "agent exited with status " + r.exitCode();
            case TIMEOUT -> "agent killed at the timeout";
            case OOM_KILLED -> "agent killed at the memory limit";
            case INTERRUPTED -> "run interrupted";
            case RUNTIME_ERROR -> "sandbox error: " + r.message();
        };
        return s + " after " + r.duration().toMillis() + " ms; output " + r.outputBytesSeen() + " bytes"
                + (r.truncated() ? " (truncated to " + r.outputBytesKept() + ")" : "");
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Collects the parts of an outcome as the run proceeds. */
    private final class Out {
        final String runId;
        final RunInput in;
        final Instant start;
        final String promptSha;
        PolicyResult policy;
        volatile CredentialBinding binding;
        Approval approval;
        SandboxResult sandbox;
        List<String> reaped = List.of();
        EgressReport egress;
        ToolReport tools;

        Out(String runId, RunInput in, Instant start, String promptSha) {
            this.runId = runId;
            this.in = in;
            this.start = start;
            this.promptSha = promptSha;
        }

        String mask(String text) {
            CredentialBinding b = binding;
            return b == null || text == null ? text : b.mask(text);
        }

        RunOutcome done(RunStatus status, String message, SandboxResult r) {
            CredentialBinding b = binding;
            return new RunOutcome(runId, status, mask(message), in.request(), policy, policy.plan(), approval, r == null ? sandbox : r,
                    promptSha, in.workspace(), in.command(), reaped, start, clock.instant(), null,
                    b == null ? CredentialReport.NONE : b.report(), egress, tools);
        }
    }

    /** Configures the seams; each defaults to the safe choice (no approval needed, no credentials, no egress, no evidence). */
    public static final class Builder {
        private final DockerSandbox sandbox;
        private PolicyEngine policy = new PolicyEngine();
        private SandboxSpecs specs = new SandboxSpecs();
        private ApprovalGate approvals = ApprovalGate.NONE;
        private CredentialBinder credentials = CredentialBinder.NONE;
        private EgressProvider egress;
        private ToolGatewayProvider tools;
        private EvidenceRecorder evidence = EvidenceRecorder.NONE;
        private RunListener listener = RunListener.NONE;
        private Clock clock = Clock.systemUTC();
        private Path scratch = Path.of(System.getProperty("java.io.tmpdir"));

        private Builder(DockerSandbox sandbox) {
            this.sandbox = sandbox;
        }

        public Builder policy(PolicyEngine v) { policy = v; return this; }
        public Builder specs(SandboxSpecs v) { specs = v; return this; }
        public Builder approvals(ApprovalGate v) { approvals = v; return this; }
        public Builder credentials(CredentialBinder v) { credentials = v; return this; }
        public Builder egress(EgressProvider v) { egress = v; return this; }
        /** The tool gateway, started for plans with MCP tools; without one such plans are refused. */
        public Builder tools(ToolGatewayProvider v) { tools = v; return this; }
        public Builder evidence(EvidenceRecorder v) { evidence = v; return this; }
        public Builder listener(RunListener v) { listener = v; return this; }
        public Builder clock(Clock v) { clock = v; return this; }
        /** Host directory for the run's task file (outside every workspace). */
        public Builder scratch(Path v) { scratch = v; return this; }

        public GovernedRun build() {
            return new GovernedRun(this);
        }
    }
}
