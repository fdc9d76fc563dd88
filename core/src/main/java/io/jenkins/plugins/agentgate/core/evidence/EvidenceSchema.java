package io.jenkins.plugins.agentgate.core.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** The JSON Schema of evidence.json (also published as docs/schema/evidence.schema.json). */
public final class EvidenceSchema {
    public static final String RESOURCE = "/io/jenkins/plugins/agentgate/core/evidence/evidence.schema.json";
    private static final Schema SCHEMA = load();

    private EvidenceSchema() {}

    private static Schema load() {
        try (InputStream in = EvidenceSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
    }

    /** Every violation, as "path: message"; empty when the record conforms. */
    public static List<String> validate(JsonNode record) {
        return SCHEMA.validate(record).stream().map(com.networknt.schema.Error::toString).sorted().toList();
    }
}
