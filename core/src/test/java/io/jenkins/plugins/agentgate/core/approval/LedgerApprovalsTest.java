package io.jenkins.plugins.agentgate.core.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.policy.PolicyEngine;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run's approval step against a real catalog, the real policy engine and real files. */
class LedgerApprovalsTest {
    private static final String CATALOG = """
            apiVersion: agentgate/v1
            profiles:
              - id: delivery-team
                image: {allowed: ["busybox:*"], default: "busybox:stable"}
                approval:
                  mode: owner
                  approvers: {users: [alice], groups: [release]}
              - id: docs-only
                approval: {mode: template}
            classes:
              delivery: delivery-team
              draft: docs-only
            templates:
              - id: docs-fix
                classes: [draft]
                promptPattern: "Fix typos in .*"
                pathScope: ["docs/**"]
            """;
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    @TempDir
    Path dir;

    private RunPlan plan(ProfileCatalog catalog, ExecutionClass c) {
        RunRequest request = RunRequest.builder(c).image("busybox:stable").requester("carol").build();
        return new PolicyEngine().decide(catalog, request).planIfAllowed().orElseThrow();
    }

    @Test
    void aDeliveryRunWaitsForItsOwnerThenStarts() throws Exception {
        ProfileCatalog catalog = CatalogParser.parse("catalog.yaml", CATALOG);
        RunPlan plan = plan(catalog, ExecutionClass.DELIVERY);
        Path ledger = dir.resolve("approvals.json");
        Path requestFile = dir.resolve("approval-request.json");

        LedgerApprovals.Outcome first = LedgerApprovals.check(ApprovalEngine.LOCAL, plan, catalog.templates(), "Bump the parser",
                null, null, "bump the YAML parser", ledger, requestFile, NOW);
        assertThat(first.allowed()).isFalse();
        assertThat(first.status().state()).isEqualTo(ApprovalState.PENDING);
        assertThat(first.status().message()).startsWith("needs 1 more approval from owners {users: alice; groups: release}");
        assertThat(first.requestFile()).isEqualTo(requestFile);
        assertThat(RequestFile.read(requestFile)).isEqualTo(first.request());
        assertThat(first.request().profile().hash()).isEqualTo(plan.policyHash());

        Ledger.append(ledger, new LedgerEntry(DecisionKind.APPROVE, "alice", List.of(), false, NOW.plusSeconds(60),
                RequestFile.read(requestFile).digest(), "ok"));
        String before = Files.readString(requestFile);
        LedgerApprovals.Outcome second = LedgerApprovals.check(ApprovalEngine.LOCAL, plan, catalog.templates(), "Bump the parser",
                null, null, "bump the YAML parser", ledger, requestFile, NOW.plusSeconds(120));
        assertThat(second.allowed()).isTrue();
        assertThat(second.status().approvers()).containsExactly("alice");
        assertThat(second.requestFile()).isNull();
        assertThat(Files.readString(requestFile)).isEqualTo(before);

        LedgerApprovals.Outcome changed = LedgerApprovals.check(ApprovalEngine.LOCAL, plan, catalog.templates(), "Bump the parser",
                null, null, "bump the YAML parser and the JSON one", ledger, requestFile, NOW.plusSeconds(180));
        assertThat(changed.status().state()).isEqualTo(ApprovalState.STALE);
        assertThat(RequestFile.read(requestFile).action()).isEqualTo("bump the YAML parser and the JSON one");
    }

    @Test
    void aDraftRunMatchingATemplateStartsAndLeavesNoRequest() throws Exception {
        ProfileCatalog catalog = CatalogParser.parse("catalog.yaml", CATALOG);
        RunPlan plan = plan(catalog, ExecutionClass.DRAFT);
        Path requestFile = dir.resolve("approval-request.json");
        LedgerApprovals.Outcome o = LedgerApprovals.check(ApprovalEngine.LOCAL, plan, catalog.templates(), "Fix typos in the guide",
                List.of("docs/guide.md"), null, "fix typos", dir.resolve("none.json"), requestFile, NOW);
        assertThat(o.allowed()).isTrue();
        assertThat(o.status().via()).isEqualTo(ApprovedVia.TEMPLATE);
        assertThat(o.status().template()).isEqualTo("docs-fix");
        assertThat(Files.exists(requestFile)).isFalse();

        LedgerApprovals.Outcome outside = LedgerApprovals.check(ApprovalEngine.LOCAL, plan, catalog.templates(),
                "Fix typos in the guide", List.of("docs/guide.md", "Jenkinsfile"), null, "fix typos", dir.resolve("none.json"),
                requestFile, NOW);
        assertThat(outside.allowed()).isFalse();
        assertThat(outside.status().message()).contains("[Jenkinsfile] outside its path scope [docs/**]");
    }
}
