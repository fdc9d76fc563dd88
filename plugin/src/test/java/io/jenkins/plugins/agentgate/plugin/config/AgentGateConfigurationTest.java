package io.jenkins.plugins.agentgate.plugin.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import hudson.model.User;
import hudson.security.ACL;
import hudson.security.ACLContext;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import hudson.util.Secret;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;
import org.htmlunit.html.HtmlForm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

@WithJenkins
class AgentGateConfigurationTest {

    /** Two problems on two lines: an unknown key (line 5) and a class mapped to a missing profile (line 7). */
    static final String BROKEN = """
            apiVersion: agentgate/v1
            profiles:
              - id: team-delivery
                description: delivery for the team
                netwrk: {}
            classes:
              delivery: no-such-profile
            """;

    static final String VALID = """
            apiVersion: agentgate/v1
            profiles:
              - id: team-delivery
                description: delivery for the team
                network:
                  mode: allowlist
                  allow: [api.example.com:443]
                approval:
                  mode: owner
                  approvers:
                    users: [release-manager]
            classes:
              delivery: team-delivery
            """;

    private JenkinsRule r;
    private AgentGateConfiguration config;

    @BeforeEach
    void setUp(JenkinsRule r) {
        this.r = r;
        this.config = AgentGateConfiguration.get();
    }

    @Test
    void withoutACatalogTheBuiltInProfilesApply() throws Exception {
        assertNull(config.getCatalogYaml());
        assertEquals(DefaultCatalog.get(), config.getCatalog());
    }

    @Test
    void validationListsEveryProblemWithItsLine() {
        FormValidation v = config.doCheckCatalogYaml(BROKEN);
        assertEquals(FormValidation.Kind.ERROR, v.kind);
        String html = v.renderHtml();
        assertThat(html, containsString("catalogYaml:5:"));
        assertThat(html, containsString("netwrk"));
        assertThat(html, containsString("catalogYaml:7:"));
        assertThat(html, containsString("no-such-profile"));
    }

    @Test
    void aValidCatalogIsSummarised() {
        FormValidation v = config.doCheckCatalogYaml(VALID);
        assertEquals(FormValidation.Kind.OK, v.kind, v.renderHtml());
        assertThat(v.renderHtml(), containsString("team-delivery"));
    }

    @Test
    void anInvalidCatalogIsRefusedAndTheOldOneStays() throws Exception {
        config.setCatalogYaml(VALID);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config.setCatalogYaml(BROKEN));
        assertThat(e.getMessage(), containsString("catalogYaml:5:"));
        assertEquals(VALID, config.getCatalogYaml());
        assertEquals("team-delivery", config.getCatalog().classes().get(ExecutionClass.DELIVERY));
    }

    @Test
    void settingsSurviveTheFormAndAReload() throws Exception {
        SystemCredentialsProvider.getInstance().getCredentials().add(new StringCredentialsImpl(
                CredentialsScope.GLOBAL, "evidence-key", "signing key", Secret.fromString("-----BEGIN PRIVATE KEY-----")));
        config.setCatalogYaml(VALID);
        config.setSigningKeyCredentialsId("evidence-key");
        config.setDefaultImage("registry.example.com/agents/codex:1.2");
        // The page is in the Security category, so it is part of /configureSecurity, not /configure.
        r.submit(r.createWebClient().goTo("configureSecurity").getFormByName("config"));
        AgentGateConfiguration reloaded = new AgentGateConfiguration(); // reads the saved XML
        assertEquals(VALID, reloaded.getCatalogYaml());
        assertEquals("evidence-key", reloaded.getSigningKeyCredentialsId());
        assertEquals("registry.example.com/agents/codex:1.2", reloaded.getDefaultImage());
        assertEquals("team-delivery", reloaded.getCatalog().classes().get(ExecutionClass.DELIVERY));
    }

    @Test
    void theFormRefusesAnInvalidCatalog() throws Exception {
        config.setCatalogYaml(VALID);
        JenkinsRule.WebClient wc = r.createWebClient();
        HtmlForm form = wc.goTo("configureSecurity").getFormByName("config");
        form.getTextAreaByName("_.catalogYaml").setText(BROKEN);
        wc.setThrowExceptionOnFailingStatusCode(false);
        String response = r.submit(form).getWebResponse().getContentAsString();
        assertThat(response, containsString("catalogYaml:5: profiles[0].netwrk"));
        assertEquals(VALID, AgentGateConfiguration.get().getCatalogYaml());
    }

    @Test
    void validationAnswersOnlyPost() throws Exception {
        JenkinsRule.WebClient wc = r.createWebClient();
        wc.setThrowExceptionOnFailingStatusCode(false);
        String url = "descriptorByName/" + AgentGateConfiguration.class.getName() + "/checkCatalogYaml?value=x";
        assertEquals(405, wc.goTo(url, null).getWebResponse().getStatusCode());
    }

    @Test
    void imageAndKeyChecksNameTheProblem() {
        FormValidation bad = config.doCheckDefaultImage("Not An Image!");
        assertEquals(FormValidation.Kind.ERROR, bad.kind);
        assertThat(bad.renderHtml(), containsString("Not An Image!"));
        assertEquals(FormValidation.Kind.WARNING, config.doCheckDefaultImage("registry.example.com/a:1").kind);
        assertThrows(IllegalArgumentException.class, () -> config.setDefaultImage("Not An Image!"));

        assertEquals(FormValidation.Kind.ERROR, config.doCheckSigningKeyCredentialsId("missing").kind);
        SystemCredentialsProvider.getInstance().getCredentials().add(new StringCredentialsImpl(
                CredentialsScope.GLOBAL, "pem", "key", Secret.fromString("k")));
        assertEquals(FormValidation.Kind.OK, config.doCheckSigningKeyCredentialsId("pem").kind);
    }

    @Test
    void signingKeyListOffersOnlySecretTextOrFile() throws Exception {
        SystemCredentialsProvider.getInstance().getCredentials().add(new StringCredentialsImpl(
                CredentialsScope.GLOBAL, "pem", "key", Secret.fromString("k")));
        SystemCredentialsProvider.getInstance().getCredentials().add(new UsernamePasswordCredentialsImpl(
                CredentialsScope.GLOBAL, "userpass", "user", "user", "password-of-at-least-14"));
        ListBoxModel items = config.doFillSigningKeyCredentialsIdItems("");
        assertThat(items.toString(), containsString("pem"));
        assertThat(items.toString(), not(containsString("userpass")));
    }

    @Test
    void withoutAdministerNothingIsValidatedOrListed() throws Exception {
        r.jenkins.setSecurityRealm(r.createDummySecurityRealm());
        r.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy()
                .grant(Jenkins.ADMINISTER).everywhere().to("admin")
                .grant(Jenkins.READ).everywhere().to("reader"));
        SystemCredentialsProvider.getInstance().getCredentials().add(new StringCredentialsImpl(
                CredentialsScope.GLOBAL, "pem", "key", Secret.fromString("k")));
        try (ACLContext ignored = ACL.as2(User.getById("reader", true).impersonate2())) {
            assertEquals(FormValidation.Kind.OK, config.doCheckCatalogYaml(BROKEN).kind);
            assertEquals(FormValidation.Kind.OK, config.doCheckSigningKeyCredentialsId("missing").kind);
            assertThat(config.doFillSigningKeyCredentialsIdItems("").toString(), not(containsString("pem")));
        }
        try (ACLContext ignored = ACL.as2(User.getById("admin", true).impersonate2())) {
            assertThat(config.doCheckCatalogYaml(BROKEN).kind, is(FormValidation.Kind.ERROR));
        }
    }
}
