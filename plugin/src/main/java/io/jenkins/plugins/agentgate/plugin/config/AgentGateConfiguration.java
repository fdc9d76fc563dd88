package io.jenkins.plugins.agentgate.plugin.config;

import com.cloudbees.plugins.credentials.CredentialsMatcher;
import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.ExtensionList;
import hudson.Util;
import hudson.security.ACL;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.agentgate.core.profile.CatalogException;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.ConfigProblem;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import io.jenkins.plugins.agentgate.core.profile.ImageReference;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.plugin.JenkinsFacade;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import jenkins.model.GlobalConfiguration;
import jenkins.model.GlobalConfigurationCategory;
import jenkins.model.Jenkins;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.verb.POST;

/**
 * The admins' Agent Gate settings (Manage Jenkins › Security; JCasC {@code security: agentGate:}).
 *
 * <p>Everything that decides — profiles, the class-to-profile mapping, approver sets, templates — lives in
 * the catalog YAML and is parsed and validated by core's {@link CatalogParser}; this class only stores the
 * text, hands it to core and shows core's verdict. An empty catalog means core's built-in safe defaults.
 */
@Extension
@Symbol("agentGate")
public final class AgentGateConfiguration extends GlobalConfiguration {

    /** The name problems are reported under, so an error reads {@code catalogYaml:12: profiles[0]...}. */
    static final String CATALOG_SOURCE = "catalogYaml";

    private static final JenkinsFacade JENKINS = new JenkinsFacade();

    /** The signing key may be a PEM in secret text or a key file. */
    private static final CredentialsMatcher SIGNING_KEY_TYPES = CredentialsMatchers.anyOf(
            CredentialsMatchers.instanceOf(StringCredentials.class), CredentialsMatchers.instanceOf(FileCredentials.class));

    private @CheckForNull String catalogYaml;
    private @CheckForNull String signingKeyCredentialsId;
    private @CheckForNull String defaultImage;

    /** Parsed form of {@link #catalogYaml}; rebuilt on demand after a restart. */
    private transient volatile ProfileCatalog catalog;

    public AgentGateConfiguration() {
        load();
    }

    @NonNull
    public static AgentGateConfiguration get() {
        return ExtensionList.lookupSingleton(AgentGateConfiguration.class);
    }

    @NonNull
    @Override
    public String getDisplayName() {
        return Messages.AgentGateConfiguration_DisplayName();
    }

    @Override
    public GlobalConfigurationCategory getCategory() {
        return GlobalConfigurationCategory.get(GlobalConfigurationCategory.Security.class);
    }

    /** The catalog YAML as the admins wrote it; null when the built-in defaults apply. */
    @CheckForNull
    public String getCatalogYaml() {
        return catalogYaml;
    }

    /**
     * Replaces the catalog. An invalid catalog is refused as a whole (the previous one stays in force),
     * with every problem core found in the message, so JCasC and the form fail loudly instead of running
     * agents under a half-read policy.
     */
    @DataBoundSetter
    public void setCatalogYaml(@CheckForNull String catalogYaml) {
        String text = Util.fixEmptyAndTrim(catalogYaml) == null ? null : catalogYaml;
        ProfileCatalog parsed;
        try {
            parsed = parse(text);
        } catch (CatalogException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        this.catalogYaml = text;
        this.catalog = parsed;
        save();
    }

    @CheckForNull
    public String getSigningKeyCredentialsId() {
        return signingKeyCredentialsId;
    }

    @DataBoundSetter
    public void setSigningKeyCredentialsId(@CheckForNull String signingKeyCredentialsId) {
        this.signingKeyCredentialsId = Util.fixEmptyAndTrim(signingKeyCredentialsId);
        save();
    }

    @CheckForNull
    public String getDefaultImage() {
        return defaultImage;
    }

    @DataBoundSetter
    public void setDefaultImage(@CheckForNull String defaultImage) {
        String image = Util.fixEmptyAndTrim(defaultImage);
        if (image != null && !ImageReference.isValid(image)) {
            throw new IllegalArgumentException(Messages.AgentGateConfiguration_InvalidImage(image, ImageReference.REFERENCE_FORM));
        }
        this.defaultImage = image;
        save();
    }

    /**
     * The catalog in force: the admins' one, or core's built-in defaults when none is set.
     *
     * @throws CatalogException when the stored text no longer validates (e.g. written by hand to disk);
     *                          runs must then fail closed with these problems
     */
    @NonNull
    public ProfileCatalog getCatalog() throws CatalogException {
        ProfileCatalog c = catalog;
        if (c == null) {
            c = parse(catalogYaml);
            catalog = c;
        }
        return c;
    }

    @Override
    public boolean configure(StaplerRequest2 req, JSONObject json) throws FormException {
        // Check before binding, so a bad catalog reaches the admin as a form error naming the field.
        try {
            parse(Util.fixEmptyAndTrim(json.optString("catalogYaml", null)) == null ? null : json.optString("catalogYaml"));
        } catch (CatalogException e) {
            throw new FormException(e.getMessage(), "catalogYaml");
        }
        String image = Util.fixEmptyAndTrim(json.optString("defaultImage", null));
        if (image != null && !ImageReference.isValid(image)) {
            throw new FormException(Messages.AgentGateConfiguration_InvalidImage(image, ImageReference.REFERENCE_FORM),
                    "defaultImage");
        }
        // Unset fields are omitted by the form: clear them first so that emptying a field sticks.
        catalogYaml = null;
        catalog = null;
        signingKeyCredentialsId = null;
        defaultImage = null;
        return super.configure(req, json);
    }

    @NonNull
    private static ProfileCatalog parse(@CheckForNull String yaml) throws CatalogException {
        return yaml == null ? DefaultCatalog.get() : CatalogParser.parse(CATALOG_SOURCE, yaml);
    }

    /** Validates the catalog with core and lists every problem with its line, or summarises the result. */
    @POST
    public FormValidation doCheckCatalogYaml(@QueryParameter String value) {
        if (!JENKINS.hasPermission(Jenkins.ADMINISTER)) {
            return FormValidation.ok();
        }
        String text = Util.fixEmptyAndTrim(value) == null ? null : value;
        try {
            ProfileCatalog parsed = parse(text);
            return FormValidation.ok(text == null ? Messages.AgentGateConfiguration_BuiltInCatalog(mapping(parsed))
                    : Messages.AgentGateConfiguration_ValidCatalog(parsed.profiles().size(), mapping(parsed)));
        } catch (CatalogException e) {
            List<FormValidation> errors = new ArrayList<>();
            for (ConfigProblem problem : e.problems()) {
                errors.add(FormValidation.error(problem.format()));
            }
            return FormValidation.aggregate(errors);
        }
    }

    private static String mapping(ProfileCatalog parsed) {
        return parsed.classes().entrySet().stream()
                .sorted(java.util.Map.Entry.comparingByKey())
                .map(e -> e.getKey().id() + " \u2192 " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    @POST
    public FormValidation doCheckDefaultImage(@QueryParameter String value) {
        if (!JENKINS.hasPermission(Jenkins.ADMINISTER)) {
            return FormValidation.ok();
        }
        String image = Util.fixEmptyAndTrim(value);
        if (image == null) {
            return FormValidation.ok();
        }
        if (!ImageReference.isValid(image)) {
            return FormValidation.error(Messages.AgentGateConfiguration_InvalidImage(image, ImageReference.REFERENCE_FORM));
        }
        if (!ImageReference.isPinned(image)) {
            return FormValidation.warning(Messages.AgentGateConfiguration_UnpinnedImage(image));
        }
        return FormValidation.ok();
    }

    @POST
    public FormValidation doCheckSigningKeyCredentialsId(@QueryParameter String value) {
        if (!JENKINS.hasPermission(Jenkins.ADMINISTER)) {
            return FormValidation.ok();
        }
        String id = Util.fixEmptyAndTrim(value);
        if (id == null) {
            return FormValidation.warning(Messages.AgentGateConfiguration_NoSigningKey());
        }
        StandardCredentials found = CredentialsMatchers.firstOrNull(
                CredentialsProvider.lookupCredentialsInItemGroup(StandardCredentials.class, JENKINS.jenkins(), ACL.SYSTEM2,
                        List.of()),
                CredentialsMatchers.withId(id));
        if (found == null) {
            return FormValidation.error(Messages.AgentGateConfiguration_NoSuchCredential(id));
        }
        if (!SIGNING_KEY_TYPES.matches(found)) {
            return FormValidation.error(Messages.AgentGateConfiguration_WrongCredentialType(id));
        }
        return FormValidation.ok();
    }

    /** Signing key candidates: secret text or secret file credentials visible at the root. */
    @POST
    public ListBoxModel doFillSigningKeyCredentialsIdItems(@QueryParameter String signingKeyCredentialsId) {
        StandardListBoxModel model = new StandardListBoxModel();
        if (!JENKINS.hasPermission(Jenkins.ADMINISTER)) {
            model.includeCurrentValue(Util.fixNull(signingKeyCredentialsId));
            return model;
        }
        model.includeEmptyValue()
                .includeMatchingAs(ACL.SYSTEM2, JENKINS.jenkins(), StandardCredentials.class, List.of(), SIGNING_KEY_TYPES)
                .includeCurrentValue(Util.fixNull(signingKeyCredentialsId));
        return model;
    }

    /** Which class runs under which profile, for display; the mapping itself is core's. */
    @NonNull
    public String getClassMapping() {
        try {
            return mapping(getCatalog());
        } catch (CatalogException e) {
            return Messages.AgentGateConfiguration_StoredCatalogInvalid(e.problems().size());
        }
    }

}
