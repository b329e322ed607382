package io.prestoorchestrator.cluster;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

import java.io.IOException;
import java.time.Instant;

/** The one JSON mapping of cluster records, specs, catalogs, operations and events (API and KV alike). */
public final class ClusterJson
{
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new SimpleModule("instants")
                    .addSerializer(Instant.class, new JsonSerializer<>()
                    {
                        @Override
                        public void serialize(Instant value, JsonGenerator generator, SerializerProvider provider)
                                throws IOException
                        {
                            generator.writeString(value.toString());
                        }
                    })
                    .addDeserializer(Instant.class, new JsonDeserializer<>()
                    {
                        @Override
                        public Instant deserialize(JsonParser parser, DeserializationContext context)
                                throws IOException
                        {
                            return Instant.parse(parser.getValueAsString());
                        }
                    }))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private ClusterJson() {}
}
