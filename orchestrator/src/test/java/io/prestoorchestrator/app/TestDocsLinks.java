package io.prestoorchestrator.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README and docs/ stay navigable: every relative link resolves to a file (and its {@code #anchor}
 * to a heading there), and every class, method and path the README's "Where to look" map names exists,
 * so a move in the code that leaves the map behind fails here.
 */
class TestDocsLinks
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SOURCES = ROOT.resolve("orchestrator/src/main/java/io/prestoorchestrator");
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#+\\s+(.+)$");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    // api/ClusterRoutes, operations/ClusterService.update, ClusterService.autoscale, CoordinatorWait
    private static final Pattern CLASS_REFERENCE = Pattern.compile("^(?:([a-z]+(?:/[a-z]+)?)/)?([A-Z][A-Za-z0-9]+)(?:\\.([a-z][A-Za-z0-9]*))?$");

    @Test
    void testEveryRelativeLinkResolves()
    {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            for (String target : links(page)) {
                brokenLink(page, target).ifPresent(problem -> broken.add(ROOT.relativize(page) + ": " + target + " (" + problem + ")"));
            }
        }
        assertThat(broken).as("links in README.md and docs/ that lead nowhere").isEmpty();
    }

    @Test
    void testTheCodeMapNamesWhatExists()
    {
        List<String> section = section(read(ROOT.resolve("README.md")), "## Where to look");
        assertThat(section).as("the README's 'Where to look' section").isNotEmpty();
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (String line : section) {
            Matcher code = CODE.matcher(line);
            while (code.find()) {
                String token = code.group(1);
                Optional<String> problem = Optional.empty();
                Matcher reference = CLASS_REFERENCE.matcher(token);
                if (reference.matches()) {
                    problem = missingClass(reference.group(1), reference.group(2), reference.group(3));
                    checked++;
                }
                else if (token.matches("[a-z][a-z-]*/[^\\s]*") && !token.contains("<")) {
                    Path path = token.matches("[a-z]+(/[a-z]+)?/") && Files.isDirectory(SOURCES.resolve(token)) ? SOURCES.resolve(token) : ROOT.resolve(token);
                    problem = Files.exists(path) ? Optional.empty() : Optional.of("no such file or package");
                    checked++;
                }
                problem.ifPresent(why -> missing.add(token + ": " + why));
            }
        }
        assertThat(checked).as("references checked in the code map").isGreaterThan(20);
        assertThat(missing).as("names in the README's code map that the code does not have").isEmpty();
    }

    @Test
    void testAnchorsAreGithubSlugs()
    {
        assertThat(anchors(List.of("## Paths 2-4: the worker drain", "## What nomad-autoscaler 0.5.0 does (read from its source)", "## Measured", "## Measured")))
                .containsExactlyInAnyOrder("paths-2-4-the-worker-drain", "what-nomad-autoscaler-050-does-read-from-its-source", "measured", "measured-1");
        assertThat(brokenLink(ROOT.resolve("README.md"), "docs/drain.md#no-such-heading")).contains("no heading for #no-such-heading");
        assertThat(brokenLink(ROOT.resolve("README.md"), "docs/no-such-page.md")).contains("no such file");
    }

    private static Optional<String> missingClass(String pkg, String name, String method)
    {
        List<Path> candidates;
        if (pkg != null) {
            Path file = SOURCES.resolve(pkg).resolve(name + ".java");
            candidates = Files.isRegularFile(file) ? List.of(file) : List.of();
        }
        else {
            try (Stream<Path> files = Files.walk(SOURCES)) {
                candidates = files.filter(file -> file.getFileName().toString().equals(name + ".java")).toList();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (candidates.isEmpty()) {
            return Optional.of("no class " + (pkg == null ? "" : pkg + "/") + name);
        }
        if (method != null && candidates.stream().noneMatch(file -> Pattern.compile("\\b" + method + "\\(").matcher(String.join("\n", read(file))).find())) {
            return Optional.of("no method " + method + " in " + name);
        }
        return Optional.empty();
    }

    private static Optional<String> brokenLink(Path page, String target)
    {
        if (target.matches("[a-z]+:.*")) {
            return Optional.empty();
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        Path file = path.isEmpty() ? page : page.getParent().resolve(path).normalize();
        if (!Files.exists(file)) {
            return Optional.of("no such file");
        }
        if (hash >= 0 && file.toString().endsWith(".md")) {
            String anchor = target.substring(hash + 1);
            if (!anchors(read(file)).contains(anchor)) {
                return Optional.of("no heading for #" + anchor);
            }
        }
        return Optional.empty();
    }

    /** GitHub's heading ids: lower case, punctuation dropped, spaces to '-', repeats numbered. */
    static Set<String> anchors(List<String> lines)
    {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : withoutCodeBlocks(lines)) {
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = heading.group(1).strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-');
                int count = seen.merge(slug, 1, Integer::sum);
                anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
            }
        }
        return anchors;
    }

    private static List<String> links(Path page)
    {
        List<String> targets = new ArrayList<>();
        for (String line : withoutCodeBlocks(read(page))) {
            Matcher link = LINK.matcher(line);
            while (link.find()) {
                targets.add(link.group(1));
            }
        }
        return targets;
    }

    private static List<String> withoutCodeBlocks(List<String> lines)
    {
        List<String> kept = new ArrayList<>();
        boolean inBlock = false;
        for (String line : lines) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
            }
            else if (!inBlock) {
                kept.add(line);
            }
        }
        return kept;
    }

    private static List<String> section(List<String> lines, String heading)
    {
        List<String> section = new ArrayList<>();
        boolean in = false;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                in = line.equals(heading);
            }
            else if (in) {
                section.add(line);
            }
        }
        return section;
    }

    private static List<Path> pages()
    {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(file -> file.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    private static List<String> read(Path file)
    {
        try {
            return Files.readAllLines(file);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
