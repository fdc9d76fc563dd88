package io.jenkins.plugins.agentgate.core.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** The JSON Schema of evidence.json (also published as docs/schema/evidence.schema.json). */
public final class EvidenceSchema {
    public static final String RESOURCE = "/io/jenkins/plugins/agentgate/core/evidence/evidence.schema.json";
    private static final JsonSchema SCHEMA = load();

    private EvidenceSchema() {}

    private static JsonSchema load() {
        try (InputStream in = EvidenceSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
    }

    /** Every violation, as "path: message"; empty when the record conforms. */
    public static List<String> validate(JsonNode record) {
        return SCHEMA.validate(record).stream().map(ValidationMessage::getMessage).sorted().toList();
    }
}
