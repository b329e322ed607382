package io.prestoorchestrator.discovery;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** The services registered in Consul's catalog. */
public interface ServiceCatalog
{
    /** Every registered service by name, with the tags its instances carry (all instances' tags together). */
    CompletionStage<Map<String, List<String>>> services();
}
