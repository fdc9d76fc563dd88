package io.jenkins.plugins.agentgate.core.execution;

import com.fasterxml.jackson.annotation.JsonValue;

/** How the sandbox sees the workspace. Read-only is narrower than read-write. */
public enum WorkspaceAccess {
    READ_ONLY("read-only"),
    READ_WRITE("read-write");

    private final String id;

    WorkspaceAccess(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    /** True when this access grants no more than {@code other}. */
    public boolean isWithin(WorkspaceAccess other) {
        return this == READ_ONLY || other == READ_WRITE;
    }

    public static WorkspaceAccess parse(String value) {
        for (WorkspaceAccess a : values()) {
            if (a.id.equalsIgnoreCase(value == null ? "" : value.trim())) {
                return a;
            }
        }
        throw new IllegalArgumentException("workspace access '" + value + "' is not known; expected read-only or read-write");
    }
}
