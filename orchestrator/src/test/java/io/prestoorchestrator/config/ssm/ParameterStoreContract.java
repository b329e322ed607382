package io.prestoorchestrator.config.ssm;

import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.config.ssm.ParameterStore.Parameter;
import io.prestoorchestrator.error.DependencyException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What the orchestrator relies on from a {@link ParameterStore} (the API tokens under
 * {@code auth.ssm-path}, a cluster's secrets under {@code <aws.ssm-prefix>/<cluster>}, a catalog's
 * references): a path reads its whole hierarchy, recursively, every page, SecureStrings decrypted,
 * names exactly as stored, and nothing of a sibling whose name merely starts the same (the render
 * cuts the path off each name); a missing parameter is empty, not an error; an overwrite raises the
 * version (the render pins it, so a new version is a change); a store that cannot be reached fails
 * as the {@code aws-ssm} dependency. Run against the fake the unit tests use
 * ({@code TestInMemoryParameterStore}) and against {@link SsmParameterStore} on moto
 * ({@code SsmParameterStoreIT}).
 */
public abstract class ParameterStoreContract
{
    /** The store under test; each test uses names under its own {@link #root()}. */
    protected abstract ParameterStore store();

    /** A path no other test (nor an earlier run) writes under, e.g. {@code /contract-<random>}. */
    protected abstract String root();

    /** Writes {@code value} at {@code name}, as a SecureString when {@code secure}, overwriting what is there. */
    protected abstract void put(String name, String value, boolean secure);

    /** The same kind of store, whose backend cannot be reached (nothing listens). */
    protected abstract ParameterStore unreachable();

    @Test
    void testMissingParameterAndEmptyPathAreEmpty()
    {
        String root = root();
        put(root + "/present/key", "value", false);

        assertThat(store().get(root + "/present/missing")).isEmpty();
        assertThat(store().get(root + "/absent")).isEmpty();
        assertThat(store().byPath(root + "/absent")).isEmpty();
    }

    @Test
    void testGetDecryptsASecureStringAndReadsAString()
    {
        String root = root();
        put(root + "/app/password", "s3cr3t-Pa55", true);
        put(root + "/app/user", "trino", false);

        Parameter password = store().get(root + "/app/password").orElseThrow();
        assertThat(password.name()).isEqualTo(root + "/app/password");
        assertThat(password.value().reveal()).as("decrypted").isEqualTo("s3cr3t-Pa55");
        assertThat(password.version()).isEqualTo(1);
        assertThat(store().get(root + "/app/user").map(parameter -> parameter.value().reveal())).contains("trino");
    }

    @Test
    void testValuesAreKeptExactly()
    {
        String root = root();
        String value = "line one\nline two: grüße ✓ = & \"quoted\" ${ENV:X}  ";
        put(root + "/exact", value, true);

        assertThat(store().get(root + "/exact").orElseThrow().value().reveal()).isEqualTo(value);
        assertThat(store().byPath(root)).extracting(parameter -> parameter.value().reveal()).containsExactly(value);
    }

    @Test
    void testAnOverwriteRaisesTheVersion()
    {
        String root = root();
        put(root + "/svc/token", "first-value", true);
        put(root + "/svc/token", "second-value", true);

        Parameter token = store().get(root + "/svc/token").orElseThrow();
        assertThat(token.value()).isEqualTo(Secret.of("second-value"));
        assertThat(token.version()).isEqualTo(2);
        assertThat(store().byPath(root + "/svc")).extracting(Parameter::name, Parameter::version).containsExactly(tuple(root + "/svc/token", 2L));
    }

    @Test
    void testByPathReadsTheHierarchyRecursivelyWithNamesAsStored()
    {
        String root = root();
        put(root + "/svc/Key_A", "a", true);
        put(root + "/svc/deep/er/b", "b", false);
        // siblings whose names start like the path but are not under it
        put(root + "/svc2/c", "c", false);
        put(root + "/sv", "d", false);

        List<Parameter> found = store().byPath(root + "/svc");
        assertThat(found).extracting(Parameter::name, parameter -> parameter.value().reveal())
                .containsExactlyInAnyOrder(tuple(root + "/svc/Key_A", "a"), tuple(root + "/svc/deep/er/b", "b"));
        assertThat(store().byPath(root + "/svc/")).as("a trailing slash names the same hierarchy")
                .extracting(Parameter::name).containsExactlyInAnyOrder(root + "/svc/Key_A", root + "/svc/deep/er/b");
        assertThat(store().byPath(root + "/svc/deep")).extracting(Parameter::name).containsExactly(root + "/svc/deep/er/b");
        assertThat(store().byPath(root)).hasSize(4);
    }

    @Test
    void testByPathReadsEveryPage()
    {
        // SSM answers GetParametersByPath 10 parameters a page
        String root = root();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            String name = root + "/many/k" + "%02d".formatted(i);
            put(name, "value-" + i, i % 2 == 0);
            names.add(name);
        }

        List<Parameter> found = store().byPath(root + "/many");
        assertThat(found).extracting(Parameter::name).containsExactlyInAnyOrderElementsOf(names);
        assertThat(found).allSatisfy(parameter -> assertThat(parameter.value().reveal()).isEqualTo("value-" + Integer.parseInt(parameter.name().substring(parameter.name().length() - 2))));
    }

    @Test
    void testAnUnreachableStoreFailsAsTheSsmDependency()
    {
        ParameterStore down = unreachable();
        String root = root();

        assertThatThrownBy(() -> down.get(root + "/any")).isInstanceOfSatisfying(DependencyException.class, failure -> {
            assertThat(failure.dependency()).isEqualTo("aws-ssm");
            assertThat(failure.unavailable()).as("could not be reached").isTrue();
            assertThat(failure.getMessage()).contains(root + "/any");
        });
        assertThatThrownBy(() -> down.byPath(root)).isInstanceOfSatisfying(DependencyException.class, failure -> {
            assertThat(failure.dependency()).isEqualTo("aws-ssm");
            assertThat(failure.unavailable()).isTrue();
            assertThat(failure.getMessage()).contains(root);
        });
    }
}
