package io.prestoorchestrator.config.ssm;

/** The parameter store the unit tests use, held to the contract {@link SsmParameterStore} meets on moto. */
class TestInMemoryParameterStore
        extends ParameterStoreContract
{
    private final InMemoryParameterStore store = new InMemoryParameterStore();

    @Override
    protected ParameterStore store()
    {
        return store;
    }

    @Override
    protected String root()
    {
        return "/contract";
    }

    @Override
    protected void put(String name, String value, boolean secure)
    {
        store.put(name, value);
    }

    @Override
    protected ParameterStore unreachable()
    {
        return new InMemoryParameterStore().put(root() + "/any", "value").unreachable(true);
    }
}
