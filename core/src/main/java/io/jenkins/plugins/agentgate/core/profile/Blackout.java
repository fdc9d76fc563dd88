package io.jenkins.plugins.agentgate.core.profile;

import java.time.LocalDateTime;
import java.time.ZoneId;

/** A period in which no approved Privileged action may start, whatever the windows say. */
public record Blackout(LocalDateTime from, LocalDateTime to, ZoneId zone, String reason) {}
