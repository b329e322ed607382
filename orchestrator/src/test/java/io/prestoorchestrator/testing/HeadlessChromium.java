package io.prestoorchestrator.testing;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium through its chromedriver (both from {@code scripts/setup.sh}:
 * {@code CHROMIUM_BIN}, {@code CHROMEDRIVER_BIN}) on a new empty profile, for {@link ConsoleUi} and
 * {@link NomadUi}. Selenium is given both paths, so it never looks for or downloads a browser or
 * driver of its own. Closing it quits the browser, stops the driver and deletes the profile.
 */
final class HeadlessChromium
        implements AutoCloseable
{
    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private HeadlessChromium(Path profile, ChromeDriverService service, ChromeDriver driver)
    {
        this.profile = profile;
        this.service = service;
        this.driver = driver;
    }

    /**
     * Starts Chromium with a window of {@code width} x {@code height}, plus {@code extraArguments};
     * with {@code browserLogs}, the page's console log is kept. Fails naming what to install when
     * Chromium or its driver is missing.
     */
    static HeadlessChromium start(String profilePrefix, int width, int height, boolean browserLogs, String... extraArguments)
            throws IOException
    {
        Path chromium = executable("CHROMIUM_BIN", "chromium");
        Path chromedriver = executable("CHROMEDRIVER_BIN", "chromedriver");
        Path profile = Files.createTempDirectory(profilePrefix);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        // as root in a container: no sandbox; no network of its own (updates, sync, QUIC), nothing from a profile
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
        options.addArguments(extraArguments);
        if (browserLogs) {
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
        try {
            return new HeadlessChromium(profile, service, new ChromeDriver(service, options));
        }
        catch (RuntimeException e) {
            service.stop();
            deleteTree(profile);
            throw new IllegalStateException("cannot start " + chromium + " through " + chromedriver + ": " + e.getMessage(), e);
        }
    }

    ChromeDriver driver()
    {
        return driver;
    }

    /** Waits until {@code condition} answers something other than null or false, stale elements looked up again. */
    <T> T until(Function<? super WebDriver, T> condition, Duration timeout)
    {
        return new WebDriverWait(driver, timeout).ignoring(StaleElementReferenceException.class).until(condition);
    }

    void resize(int width, int height)
    {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** The window as it is now, as {@code <dir>/<name>.png}; returns its absolute path. */
    Path screenshot(Path dir, String name)
            throws IOException
    {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Files.createDirectories(dir);
        Path target = dir.resolve(name + ".png").toAbsolutePath();
        Files.move(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    List<org.openqa.selenium.logging.LogEntry> browserLogs()
    {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    @Override
    public void close()
    {
        try {
            driver.quit();
        }
        finally {
            service.stop();
            deleteTree(profile);
        }
    }

    private static Path executable(String variable, String debianPackage)
    {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " is not set: the browser tests drive Debian's " + debianPackage
                    + ". Run scripts/setup.sh (it installs chromium and chromium-driver) and source ~/.cache/presto-orchestrator/env.sh before mvn");
        }
        Path path = Path.of(value);
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(variable + "=" + value + " is not an executable file: re-run scripts/setup.sh (apt-get install -y chromium chromium-driver)");
        }
        return path;
    }

    private static void deleteTree(Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException e) {
            // a leftover temp profile is harmless
        }
    }
}
