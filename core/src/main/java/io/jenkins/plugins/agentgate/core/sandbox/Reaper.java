package io.jenkins.plugins.agentgate.core.sandbox;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes containers a crashed runner left behind: every container carrying {@link Labels#RUN_ID} whose
 * {@link Labels#DEADLINE} (creation + timeout + grace) has passed. A live run is never past its deadline, so
 * concurrent runs on the same engine are safe from each other. Called at the start of each run.
 */
public final class Reaper {
    private final DockerCli docker;
    private final Clock clock;

    Reaper(DockerCli docker, Clock clock) {
        this.docker = docker;
        this.clock = clock;
    }

    /** @return ids of the containers removed */
    public List<String> reap() throws SandboxException, InterruptedException {
        DockerCli.Output list = docker.run(docker.args.listManaged());
        if (!list.ok()) {
            throw new SandboxException("cannot list Agent Gate containers: " + list.firstErrorLine());
        }
        long now = clock.instant().getEpochSecond();
        List<String> expired = new ArrayList<>();
        for (String line : list.stdout().lines().toList()) {
            String[] f = line.split("\t", 2);
            if (f[0].isBlank()) {
                continue;
            }
            long deadline;
            try {
                deadline = Long.parseLong(f.length > 1 ? f[1].strip() : "");
            } catch (NumberFormatException e) {
                deadline = Long.MIN_VALUE; // our label without a deadline: not made by a runner of ours, remove
            }
            if (deadline < now) {
                expired.add(f[0].strip());
            }
        }
        if (expired.isEmpty()) {
            return List.of();
        }
        DockerCli.Output rm = docker.run(docker.args.removeForce(expired));
        if (!rm.ok() && !rm.stderr().contains("No such container")) {
            throw new SandboxException("cannot remove orphaned containers " + expired + ": " + rm.firstErrorLine());
        }
        return List.copyOf(expired);
    }
}
