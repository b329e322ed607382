package io.prestoorchestrator.lifecycle;

/** The fake the lifecycle drain's unit tests use, held to the documented Auto Scaling answers. */
class TestRecordingLifecycleActions
        extends LifecycleActionsContract
{
    private final RecordingLifecycleActions actions = new RecordingLifecycleActions();

    @Override
    protected LifecycleActions actions()
    {
        return actions;
    }

    @Override
    protected void pending(LifecycleAction action)
    {
        // every action the fake has not completed is pending
    }
}
