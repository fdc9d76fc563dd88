package io.jenkins.plugins.agentgate.plugin.steps;

import hudson.Launcher;
import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceSigner;
import io.jenkins.plugins.agentgate.core.profile.CatalogException;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.run.GovernedRun;
import io.jenkins.plugins.agentgate.core.run.LeaseCredentialBinder;
import io.jenkins.plugins.agentgate.core.run.McpToolGatewayProvider;
import io.jenkins.plugins.agentgate.core.run.ProxyEgressProvider;
import io.jenkins.plugins.agentgate.core.run.RunInput;
import io.jenkins.plugins.agentgate.core.run.RunOutcome;
import io.jenkins.plugins.agentgate.core.sandbox.DockerSandbox;
import io.jenkins.plugins.agentgate.plugin.config.AgentGateConfiguration;
import io.jenkins.plugins.agentgate.plugin.process.LauncherCommandRunner;
import io.jenkins.plugins.agentgate.plugin.request.RequestFields;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jenkins.MasterToSlaveFileCallable;

/**
 * The governed run, executed on the agent that holds the workspace: mount validation, the task file and the
 * container client all see the agent's filesystem, and processes start through the agent-local
 * {@link Launcher} wrapped in {@link LauncherCommandRunner}. Progress and the (masked) agent output go to the
 * build's remotable {@link TaskListener}.
 *
 * <p>Secret values travel in {@link #secrets} over the remoting channel only (never to disk, never into
 * {@code build.xml} or {@code program.dat}: this object is not part of the step's saved state) and are
 * wiped when the run ends. {@link #connectorSecrets} (the credentials of the tool gateway's connectors) travel
 * apart from them: they reach the gateway on the agent, never the sandbox. The evidence signing key (the admins' PKCS#8 PEM, when configured) travels the same
 * way and is wiped the same way: core's evidence library signs inside the bundle writer, on the agent.
 */
final class AgentRunCallable extends MasterToSlaveFileCallable<AgentRunReport> {

    private static final long serialVersionUID = 1L;

    private final RequestFields fields;
    private final String catalogYaml;
    private final List<String> command;
    private final TaskListener listener;
    private final PreApproval approval;
    private final HashMap<String, byte[]> secrets;
    private final HashMap<String, byte[]> connectorSecrets;
    private final String evidenceRoot;
    private final String scratch;
    private final AgentEvidence evidence;
    private final String version;
    private final String signingKeyId;
    private final byte[] signingKey;

    AgentRunCallable(RequestFields fields, String catalogYaml, List<String> command, TaskListener listener, PreApproval approval,
                     Map<String, byte[]> secrets, Map<String, byte[]> connectorSecrets, String evidenceRoot, String scratch, AgentEvidence evidence, String version,
                     String signingKeyId, byte[] signingKey) {
        this.fields = fields;
        this.catalogYaml = catalogYaml;
        this.command = List.copyOf(command);
        this.listener = listener;
        this.approval = approval;
        this.secrets = new HashMap<>(secrets);
        this.connectorSecrets = new HashMap<>(connectorSecrets);
        this.evidenceRoot = evidenceRoot;
        this.scratch = scratch;
        this.evidence = evidence;
        this.version = version;
        this.signingKeyId = signingKeyId;
        this.signingKey = signingKey == null ? null : signingKey.clone();
    }

    @Override
    public AgentRunReport invoke(File workspace, VirtualChannel channel) throws IOException, InterruptedException {
        ResolvedSecrets source = new ResolvedSecrets(secrets);
        ResolvedSecrets connectorSource = new ResolvedSecrets(connectorSecrets);
        try {
            ProfileCatalog catalog;
            try {
                catalog = catalogYaml == null ? DefaultCatalog.get() : CatalogParser.parse("catalogYaml", catalogYaml);
            } catch (CatalogException e) {
                throw new IOException(e.getMessage(), e);
            }
            PrintStream log = listener.getLogger();
            Path scratchDir = Files.createDirectories(Path.of(scratch));
            Path evidenceDir = Files.createDirectories(Path.of(evidenceRoot));
            EvidenceSigner signer = null;
            if (signingKey != null) {
                // The key lives in memory only, for this run, and is wiped in the finally block below.
                signer = EvidenceSigner.fromPemText(new String(signingKey, StandardCharsets.US_ASCII), "credential " + signingKeyId);
            }
            Map<String, String> env = fields.model() == null ? Map.of() : Map.of("AGENTGATE_MODEL", fields.model());
            RunOutcome outcome = GovernedRun.builder(new DockerSandbox(new LauncherCommandRunner(new Launcher.LocalLauncher(listener), listener)))
                    .approvals(ctx -> approval.check(ctx, catalog.templates()))
                    .credentials(new ModelEnvironment(new LeaseCredentialBinder(source, Clock.systemUTC()), env))
                    // The proxy and the gateway run here, on the agent beside the engine; only their relay enters the sandbox.
                    .egress(new ProxyEgressProvider(cfg -> cfg.withListener(r -> log.println("[agentRun] " + r.describe()))))
                    .tools(new McpToolGatewayProvider(connectorSource, cfg -> cfg.withListener(r -> log.println("[agentRun] " + r.describe()))))
                    .evidence(evidence.recorder(evidenceDir, fields.taskText(), fields.model(), catalog, version, signer))
                    .listener((phase, message) -> log.println("[agentRun] " + phase.name().toLowerCase(Locale.ROOT).replace('_', '-')
                            + ": " + message))
                    .scratch(scratchDir)
                    .build()
                    .execute(new RunInput(catalog, fields.toRunRequest(), fields.taskText(), workspace.toPath(), command, log));
            log.flush();
            return AgentRunReport.of(outcome);
        } finally {
            source.wipe();
            connectorSource.wipe();
            if (signingKey != null) {
                Arrays.fill(signingKey, (byte) 0);
            }
        }
    }

    /** The catalog text in force (null: core's built-in defaults), read on the controller. */
    static String catalogYaml() {
        return AgentGateConfiguration.get().getCatalogYaml();
    }
}
