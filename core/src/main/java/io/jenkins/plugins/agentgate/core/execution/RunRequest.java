package io.jenkins.plugins.agentgate.core.execution;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a pipeline (or a local user) asks for. Every optional field may only narrow the profile of the
 * execution class: {@code null} means "as the profile says", any value is checked against the profile.
 *
 * @param executionClass declared impact class (required)
 * @param profileId      a catalog profile to run under instead of the class's own; it must be narrower
 * @param image          container image reference, or null for the profile's default image
 * @param tools          tools the agent will use, or null for all the profile allows
 * @param credentials    credentials to lease (never values)
 * @param network        destinations ({@code host[:port]}) to open, or null for all the profile allows
 * @param mounts         extra read-only host paths to mount
 * @param workspace      workspace access, or null for the profile's
 * @param timeout        wall-clock limit, or null for the profile's
 * @param cpus           CPU limit, or null for the profile's
 * @param memoryBytes    memory limit, or null for the profile's
 * @param pids           process limit, or null for the profile's
 * @param maxOutputBytes output cap, or null for the profile's
 * @param requester      identity of whoever asked for the run
 */
public record RunRequest(
        ExecutionClass executionClass,
        String profileId,
        String image,
        List<String> tools,
        List<CredentialRequest> credentials,
        List<String> network,
        List<String> mounts,
        WorkspaceAccess workspace,
        Duration timeout,
        Double cpus,
        Long memoryBytes,
        Integer pids,
        Long maxOutputBytes,
        String requester) {

    public RunRequest {
        Objects.requireNonNull(executionClass, "executionClass");
        tools = tools == null ? null : List.copyOf(tools);
        credentials = credentials == null ? List.of() : List.copyOf(credentials);
        network = network == null ? null : List.copyOf(network);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        requester = requester == null || requester.isBlank() ? "anonymous" : requester;
    }

    public static Builder builder(ExecutionClass executionClass) {
        return new Builder(executionClass);
    }

    public Builder toBuilder() {
        Builder b = new Builder(executionClass);
        b.profileId = profileId;
        b.image = image;
        b.tools = tools == null ? null : new ArrayList<>(tools);
        b.credentials = new ArrayList<>(credentials);
        b.network = network == null ? null : new ArrayList<>(network);
        b.mounts = new ArrayList<>(mounts);
        b.workspace = workspace;
        b.timeout = timeout;
        b.cpus = cpus;
        b.memoryBytes = memoryBytes;
        b.pids = pids;
        b.maxOutputBytes = maxOutputBytes;
        b.requester = requester;
        return b;
    }

    /** Fluent construction; most callers set only a few fields. */
    public static final class Builder {
        private final ExecutionClass executionClass;
        private String profileId;
        private String image;
        private List<String> tools;
        private List<CredentialRequest> credentials = new ArrayList<>();
        private List<String> network;
        private List<String> mounts = new ArrayList<>();
        private WorkspaceAccess workspace;
        private Duration timeout;
        private Double cpus;
        private Long memoryBytes;
        private Integer pids;
        private Long maxOutputBytes;
        private String requester;

        private Builder(ExecutionClass executionClass) {
            this.executionClass = executionClass;
        }

        public Builder profileId(String v) { profileId = v; return this; }
        public Builder image(String v) { image = v; return this; }
        public Builder tools(List<String> v) { tools = v == null ? null : new ArrayList<>(v); return this; }
        public Builder credential(CredentialRequest v) { credentials.add(v); return this; }
        public Builder credentials(List<CredentialRequest> v) { credentials = new ArrayList<>(v); return this; }
        public Builder network(List<String> v) { network = v == null ? null : new ArrayList<>(v); return this; }
        public Builder mounts(List<String> v) { mounts = new ArrayList<>(v); return this; }
        public Builder workspace(WorkspaceAccess v) { workspace = v; return this; }
        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder cpus(Double v) { cpus = v; return this; }
        public Builder memoryBytes(Long v) { memoryBytes = v; return this; }
        public Builder pids(Integer v) { pids = v; return this; }
        public Builder maxOutputBytes(Long v) { maxOutputBytes = v; return this; }
        public Builder requester(String v) { requester = v; return this; }

        public RunRequest build() {
            return new RunRequest(executionClass, profileId, image, tools, credentials, network, mounts,
                    workspace, timeout, cpus, memoryBytes, pids, maxOutputBytes, requester);
        }
    }
}
