package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.credentials.ContainerExec;
import io.jenkins.plugins.agentgate.core.credentials.CredentialException;
import io.jenkins.plugins.agentgate.core.credentials.ExecSecretFileChannel;
import io.jenkins.plugins.agentgate.core.credentials.LeaseBroker;
import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.sandbox.ExecResult;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxException;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSession;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/**
 * The {@link CredentialBinder} over a {@link LeaseBroker}: leases the plan's granted credentials from a
 * {@link SecretSource}, injects them (env values through the docker client's environment, files over
 * {@code docker exec} stdin once the container runs), removes file secrets at their TTL, masks every output
 * stream and message, and revokes everything at step end.
 *
 * <pre>
 * LeaseCredentialBinder binder = new LeaseCredentialBinder(secretSource, Clock.systemUTC());
 * GovernedRun.builder(sandbox).credentials(binder)...execute(in);
 * binder.leaseFailure();   // the run's lease refusal (bad source, value too short), for a usage-error exit
 * </pre>
 */
public final class LeaseCredentialBinder implements CredentialBinder {
    /** Longest a single {@code docker exec} that writes or removes a secret file may take. */
    static final Duration EXEC_TIMEOUT = Duration.ofSeconds(30);
    /** How long {@link CredentialBinding#close} waits for an injection still under way before revoking. */
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(35);

    private final SecretSource source;
    private final Clock clock;
    private volatile CredentialException leaseFailure;

    public LeaseCredentialBinder(SecretSource source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    /**
     * Why the last {@link #bind} could not lease its credentials (the message names the id and the source, never
     * a value), or empty. A front end maps it to its configuration-error exit.
     */
    public Optional<CredentialException> leaseFailure() {
        return Optional.ofNullable(leaseFailure);
    }

    @Override
    public CredentialBinding bind(RunContext ctx) throws CredentialException {
        LeaseBroker broker = new LeaseBroker(ctx.runId(), source, clock);
        try {
            broker.leaseAll(ctx.plan().credentials());
        } catch (CredentialException e) {
            leaseFailure = e;
            broker.close();
            throw e;
        }
        leaseFailure = null;
        return new Binding(broker, ctx.runId());
    }

    /** One run's leases around its sandbox. */
    static final class Binding implements CredentialBinding {
        private final LeaseBroker broker;
        private final String runId;
        private final List<String> problems = new ArrayList<>();
        private ScheduledExecutorService timers;
        private Thread injector;
        private volatile SandboxSession session;
        private volatile String injectionError;
        private volatile CredentialReport report;

        Binding(LeaseBroker broker, String runId) {
            this.broker = broker;
            this.runId = runId;
        }

        @Override
        public SandboxSpec apply(SandboxSpec spec) {
            return spec.withSecretEnv(broker.secretEnvironment()).withEnv(broker.plainEnvironment());
        }

        @Override
        public void created(SandboxSession s) {
            this.session = s;
            if (!broker.hasFileLeases()) {
                return;
            }
            timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "agentgate-lease-ttl-" + runId));
            ContainerExec exec = (argv, stdin) -> {
                try {
                    ExecResult r = s.exec(argv, stdin, EXEC_TIMEOUT);
                    return new ContainerExec.Result(r.exitCode(), r.stderrText());
                } catch (SandboxException e) {
                    throw new IOException(e.getMessage(), e);
                }
            };
            injector = daemon(() -> inject(s, exec), "agentgate-lease-inject-" + runId);
            injector.start();
        }

        private void inject(SandboxSession s, ContainerExec exec) {
            try {
                // Bounded by the run's own timeout: a container that never runs ends awaitRunning early.
                // An agent that ended before it started running needs no files (and saw none).
                if (!s.awaitRunning(s.spec().timeout())) {
                    return;
                }
                broker.injectFiles(new ExecSecretFileChannel(exec), timers);
            } catch (CredentialException e) {
                // Only a failure while the agent still runs matters: it then runs without its secret.
                if (stillRunning(s)) {
                    injectionError = "credential '" + e.credentialId() + "' could not be injected: " + e.getMessage();
                }
            } catch (SandboxException e) {
                injectionError = "secret files could not be written: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                injectionError = "secret files could not be written: " + e;
            }
        }

        private static boolean stillRunning(SandboxSession s) {
            try {
                return s.exec(List.of("true"), new byte[0], EXEC_TIMEOUT).exitCode() == 0;
            } catch (SandboxException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public UnaryOperator<OutputStream> outputFilter() {
            return out -> broker.masker().wrap(out);
        }

        @Override
        public String mask(String text) {
            return broker.masker().mask(text);
        }

        @Override
        public CredentialReport report() {
            CredentialReport r = report;
            return r != null ? r : new CredentialReport(broker.records(), List.of(), this::mask, out -> broker.masker().wrap(out));
        }

        @Override
        public void close() throws CredentialException {
            if (report != null) {
                return;
            }
            if (injector != null) {
                // Revocation must not race an injection still under way (it would write after revoking).
                injector.interrupt();
                try {
                    injector.join(JOIN_TIMEOUT.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (timers != null) {
                timers.shutdownNow();
            }
            SandboxSession s = session;
            List<String> revokeProblems = broker.revokeAll(injectionError == null ? "step end" : "step failed: " + injectionError);
            // Files live on the container's tmpfs: once the container is removed they are gone with it.
            boolean containerGone = s == null || s.removed();
            if (!containerGone) {
                problems.addAll(revokeProblems);
            }
            if (injectionError != null) {
                problems.add(mask(injectionError));
            }
            report = new CredentialReport(broker.records(), problems, this::mask, out -> broker.masker().wrap(out));
            if (!problems.isEmpty()) {
                throw new CredentialException(null, String.join("; ", problems));
            }
        }

        @Override
        public void release() {
            broker.close();
        }

        private static Thread daemon(Runnable r, String name) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }
    }
}
