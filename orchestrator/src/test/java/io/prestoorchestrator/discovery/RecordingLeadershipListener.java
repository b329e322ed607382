package io.prestoorchestrator.discovery;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers what a lock told it, in order: "gained" and "lost: <reason>". */
public final class RecordingLeadershipListener
        implements LeadershipListener
{
    private final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void gained()
    {
        events.add("gained");
    }

    @Override
    public void lost(String reason)
    {
        events.add("lost: " + reason);
    }

    public List<String> events()
    {
        return List.copyOf(events);
    }

    public boolean leads()
    {
        List<String> copy = events();
        return !copy.isEmpty() && copy.get(copy.size() - 1).equals("gained");
    }
}
