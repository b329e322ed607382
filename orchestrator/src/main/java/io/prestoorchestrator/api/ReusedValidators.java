package io.prestoorchestrator.api;

import io.vertx.core.file.FileSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Path;
import io.vertx.openapi.contract.SecurityRequirement;
import io.vertx.openapi.contract.SecurityScheme;
import io.vertx.openapi.contract.Server;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The contract as the request validator sees it: the same contract, except that its schema
 * repository hands out one validator per parameter and request body schema, built once here.
 * vertx-openapi 5.0 asks the repository for a new validator on every request for every parameter
 * and body it checks, and vertx-json-schema's validator copies the repository's whole schema
 * lookup (every schema of the contract) when it is made: the most of {@code GET /v1/clusters/{name}}'s
 * validation time in the scale benchmark's profile (issue 23). A validator keeps no state between
 * validations, so one serves every request, on any thread. Every other call goes to the contract.
 */
final class ReusedValidators
        implements OpenAPIContract
{
    private final OpenAPIContract contract;
    private final SchemaRepository repository;

    private ReusedValidators(OpenAPIContract contract, SchemaRepository repository)
    {
        this.contract = requireNonNull(contract, "contract is null");
        this.repository = requireNonNull(repository, "repository is null");
    }

    /** {@code contract} with a validator built now for each of its operations' parameter and request body schemas. */
    static OpenAPIContract of(OpenAPIContract contract)
    {
        requireNonNull(contract, "contract is null");
        SchemaRepository schemas = contract.getSchemaRepository();
        // by identity: the validator asks for the very schema objects of the contract's parameters and media types
        Map<JsonSchema, Validator> validators = new IdentityHashMap<>();
        for (Operation operation : contract.operations()) {
            for (Parameter parameter : operation.getParameters()) {
                validators.computeIfAbsent(parameter.getSchema(), schemas::validator);
            }
            if (operation.getRequestBody() != null) {
                for (MediaType media : operation.getRequestBody().getContent().values()) {
                    if (media.getSchema() != null) {
                        validators.computeIfAbsent(media.getSchema(), schemas::validator);
                    }
                }
            }
        }
        return new ReusedValidators(contract, new Repository(schemas, validators));
    }

    @Override
    public SchemaRepository getSchemaRepository()
    {
        return repository;
    }

    @Override
    public Operation operation(String operationId)
    {
        return contract.operation(operationId);
    }

    @Override
    public List<Operation> operations()
    {
        return contract.operations();
    }

    @Override
    public List<Path> getPaths()
    {
        return contract.getPaths();
    }

    @Override
    public JsonObject getRawContract()
    {
        return contract.getRawContract();
    }

    @Override
    public OpenAPIVersion getVersion()
    {
        return contract.getVersion();
    }

    @Override
    public List<Server> getServers()
    {
        return contract.getServers();
    }

    @Override
    public Path findPath(String urlPath)
    {
        return contract.findPath(urlPath);
    }

    @Override
    public Operation findOperation(String urlPath, HttpMethod method)
    {
        return contract.findOperation(urlPath, method);
    }

    @Override
    public List<SecurityRequirement> getSecurityRequirements()
    {
        return contract.getSecurityRequirements();
    }

    @Override
    public SecurityScheme securityScheme(String name)
    {
        return contract.securityScheme(name);
    }

    /** The contract's repository, with {@link #validator(JsonSchema)} answered from the validators built once; any other schema gets a new one, as before. */
    private record Repository(SchemaRepository schemas, Map<JsonSchema, Validator> validators)
            implements SchemaRepository
    {
        private Repository
        {
            requireNonNull(schemas, "schemas is null");
            // written once before the contract is handed out, read only after: safe to read from any thread
            validators = new IdentityHashMap<>(validators);
        }

        @Override
        public Validator validator(JsonSchema schema)
        {
            Validator validator = validators.get(schema);
            return validator != null ? validator : schemas.validator(schema);
        }

        @Override
        public Validator validator(String ref)
        {
            return schemas.validator(ref);
        }

        @Override
        public Validator validator(String ref, JsonSchemaOptions options)
        {
            return schemas.validator(ref, options);
        }

        @Override
        public Validator validator(JsonSchema schema, JsonSchemaOptions options)
        {
            return schemas.validator(schema, options);
        }

        @Override
        public Validator validator(JsonSchema schema, JsonSchemaOptions options, boolean dereference)
        {
            return schemas.validator(schema, options, dereference);
        }

        @Override
        public SchemaRepository dereference(JsonSchema schema)
                throws SchemaException
        {
            return schemas.dereference(schema);
        }

        @Override
        public SchemaRepository dereference(String uri, JsonSchema schema)
                throws SchemaException
        {
            return schemas.dereference(uri, schema);
        }

        @Override
        public SchemaRepository preloadMetaSchema(FileSystem fileSystem)
        {
            return schemas.preloadMetaSchema(fileSystem);
        }

        @Override
        public SchemaRepository preloadMetaSchema(FileSystem fileSystem, Draft draft)
        {
            return schemas.preloadMetaSchema(fileSystem, draft);
        }

        @Override
        public JsonObject resolve(JsonObject schema)
        {
            return schemas.resolve(schema);
        }

        @Override
        public JsonSchema find(String pointer)
        {
            return schemas.find(pointer);
        }
    }
}
