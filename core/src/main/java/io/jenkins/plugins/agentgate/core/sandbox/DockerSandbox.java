package io.jenkins.plugins.agentgate.core.sandbox;

import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import io.jenkins.plugins.agentgate.core.profile.ImageReference;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker sandbox runtime: creates hardened containers from {@link SandboxSpec}s through the docker
 * client, via the {@link CommandRunner} port (ProcessBuilder in the CLI, a Jenkins Launcher in the plugin).
 *
 * <pre>
 * try (SandboxSession s = sandbox.create(spec)) {   // preflight + reaper + docker create
 *     SandboxResult r = s.run(sink, filter);        // docker start --attach; timeout; output cap; cleanup
 * }                                                 // docker rm --force (again, idempotent)
 * </pre>
 */
public final class DockerSandbox {
    private static final Pattern IMAGE_LINE = Pattern.compile("(sha256:[a-f0-9]{64}) (\\[.*\\]|null)");

    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "agentgate-docker");
        t.setDaemon(true);
        return t;
    });

    private final DockerCli docker;
    private final Clock clock;

    public DockerSandbox(CommandRunner runner, String dockerExecutable, Clock clock) {
        this.docker = new DockerCli(runner, new DockerArgs(dockerExecutable));
        this.clock = clock;
    }

    public DockerSandbox(CommandRunner runner) {
        this(runner, "docker", Clock.systemUTC());
    }

    public Reaper reaper() {
        return new Reaper(docker, clock);
    }

    /** The engine's version; also the cheapest check that the client exists and the daemon answers. */
    public String engineVersion() throws SandboxException, InterruptedException {
        DockerCli.Output v = docker.run(docker.args.serverVersion());
        if (!v.ok() || v.stdout().isBlank()) {
            throw new SandboxUnavailableException("the Docker daemon did not report its version (" + v.firstErrorLine()
                    + "); expected a running Docker engine");
        }
        return v.stdout().strip();
    }

    /** Resolves a local image; never pulls (no registry is contacted by a governed run). */
    public ImageInfo image(String reference) throws SandboxException, InterruptedException {
        DockerCli.Output o = docker.run(docker.args.imageInspect(reference));
        if (!o.ok()) {
            throw new SandboxException("image '" + reference + "' is not available on the Docker engine (" + o.firstErrorLine()
                    + "); expected a local image: build or pull it first (runs never pull)");
        }
        Matcher m = IMAGE_LINE.matcher(o.stdout().strip());
        if (!m.matches()) {
            throw new SandboxException("unexpected answer from docker image inspect for '" + reference + "': " + o.stdout().strip());
        }
        List<String> digests = new ArrayList<>();
        Matcher d = Pattern.compile("\"([^\"]+)\"").matcher(m.group(2));
        while (d.find()) {
            digests.add(d.group(1));
        }
        return new ImageInfo(reference, m.group(1), digests);
    }

    /**
     * Starts the read-only preflight (engine version, image resolution) in the background, so that it
     * overlaps with the policy decision; {@link #create(SandboxSpec, Preflight)} uses it. Nothing is
     * changed on the engine: if the run is denied, the preflight is simply dropped.
     */
    public Preflight preflight(String image) {
        if (!ImageReference.isValid(image)) {
            throw new IllegalArgumentException("image '" + image + "' is not valid; expected " + ImageReference.REFERENCE_FORM);
        }
        return new Preflight(image, CompletableFuture.supplyAsync(() -> call(this::engineVersion), POOL),
                CompletableFuture.supplyAsync(() -> call(() -> image(image)), POOL));
    }

    /** A preflight in progress; see {@link #preflight}. */
    public static final class Preflight {
        private final String image;
        private final CompletableFuture<String> version;
        private final CompletableFuture<ImageInfo> info;

        private Preflight(String image, CompletableFuture<String> version, CompletableFuture<ImageInfo> info) {
            this.image = image;
            this.version = version;
            this.info = info;
        }

        public String image() {
            return image;
        }
    }

    /** {@link #create(SandboxSpec, Preflight)} with a fresh preflight. */
    public SandboxSession create(SandboxSpec spec) throws SandboxException, InterruptedException {
        return create(spec, preflight(spec.image()));
    }

    /**
     * Preflight results, the reaper (concurrently with the create, each is one client round-trip), then
     * {@code docker create} from the resolved image id. The returned session owns the container: close it.
     */
    public SandboxSession create(SandboxSpec spec, Preflight pre) throws SandboxException, InterruptedException {
        if (!pre.image().equals(spec.image())) {
            pre = preflight(spec.image());
        }
        CompletableFuture<List<String>> reap = CompletableFuture.supplyAsync(() -> call(() -> reaper().reap()), POOL);
        String version = join(pre.version);
        ImageInfo image = join(pre.info);
        DockerCli.Output created = docker.run(docker.args.create(spec, image.id()), spec.clientEnvironment(), null, DockerCli.SHORT);
        if (!created.ok()) {
            // A half-created container (e.g. name clash after a timeout) must not linger.
            docker.run(docker.args.removeForce(List.of(spec.containerName())));
            join(reap);
            throw new SandboxException("docker create failed for run " + spec.runId() + ": " + created.firstErrorLine());
        }
        String id = created.stdout().strip();
        List<String> reaped;
        try {
            reaped = join(reap);
        } catch (SandboxException | InterruptedException e) {
            docker.run(docker.args.removeForce(List.of(id)));
            throw e;
        }
        return new SandboxSession(docker, clock, spec, id, image, version, reaped);
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T call(Call<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private static <T> T join(CompletableFuture<T> f) throws SandboxException, InterruptedException {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof SandboxException s) {
                throw s;
            }
            if (c instanceof InterruptedException i) {
                throw i;
            }
            throw new SandboxException("preflight failed: " + c, c);
        }
    }
}
