package io.jenkins.plugins.agentgate.core.credentials.docker;

import io.jenkins.plugins.agentgate.core.credentials.ContainerExec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link ContainerExec} as {@code docker exec -i CONTAINER argv...}: what the sandbox's exec will do. */
public record DockerExec(String container) implements ContainerExec {
    @Override
    public Result exec(List<String> argv, byte[] stdin) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("exec", "-i", container));
        args.addAll(argv);
        Docker.Result r = Docker.run(args, Map.of(), stdin, 60);
        return new Result(r.exitCode(), r.stderr());
    }
}
