package io.prestoorchestrator.testing;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;

import static java.util.Objects.requireNonNull;

/**
 * The orchestrator's web console ({@code <orchestrator>/ui/}) in headless Chromium through
 * chromedriver (Debian's, as {@link NomadUi}). Every step waits for an element or a value, never for
 * a fixed time. The browser's console log is kept, so a test can require that the page logged no
 * error (a refused inline script, a failed module, an exception).
 */
public final class ConsoleUi
        implements AutoCloseable
{
    public static final int WIDE = 1280;
    public static final int NARROW = 800;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MAX_SCREENSHOT_HEIGHT = 5000;

    private final String base;
    private final HeadlessChromium chromium;
    private final ChromeDriver driver;
    private int width = WIDE;

    private ConsoleUi(String base, HeadlessChromium chromium)
    {
        this.base = base;
        this.chromium = chromium;
        this.driver = chromium.driver();
    }

    /** @param orchestratorUrl e.g. {@code http://127.0.0.1:8080} */
    public static ConsoleUi open(String orchestratorUrl)
            throws IOException
    {
        requireNonNull(orchestratorUrl, "orchestratorUrl is null");
        ConsoleUi ui = new ConsoleUi(orchestratorUrl.replaceAll("/+$", ""), HeadlessChromium.start("console-chromium-", WIDE, 900, true, "--hide-scrollbars"));
        ui.resize(WIDE);
        return ui;
    }

    /** Opens {@code /ui/<hash>}, e.g. {@code #/clusters}. */
    public void go(String hash)
    {
        driver.get(base + "/ui/" + hash);
    }

    /** The login form, filled and sent; waits until the clusters page shows. */
    public void login(String token)
    {
        go("");
        type("#login-token", token);
        click("#login-submit");
        until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#clusters-region")));
    }

    public void click(String css)
    {
        until(ExpectedConditions.elementToBeClickable(By.cssSelector(css))).click();
    }

    public void type(String css, String text)
    {
        WebElement input = until(ExpectedConditions.elementToBeClickable(By.cssSelector(css)));
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        input.sendKeys(text);
    }

    /** Sends keys to whatever has the focus (Tab, Enter, Escape...). */
    public void press(CharSequence... keys)
    {
        driver.switchTo().activeElement().sendKeys(keys);
    }

    /** The id of the focused element. */
    public String focusedId()
    {
        return driver.switchTo().activeElement().getDomAttribute("id");
    }

    /** The visible text of the first element matching, once there is one. */
    public String text(String css)
    {
        return until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css))).getText();
    }

    public String attribute(String css, String name)
    {
        return until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(css))).getDomAttribute(name);
    }

    /** A DOM property (what the page set, e.g. an input's {@code value}), not the markup's attribute. */
    public String property(String css, String name)
    {
        return until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(css))).getDomProperty(name);
    }

    public boolean present(String css)
    {
        return !driver.findElements(By.cssSelector(css)).isEmpty();
    }

    public List<String> texts(String css)
    {
        return driver.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
    }

    /** Waits until the first element matching shows text that contains {@code expected}; returns that text. */
    public String awaitText(String css, String expected)
    {
        return until(ignored -> {
            List<WebElement> found = driver.findElements(By.cssSelector(css));
            return found.stream().map(WebElement::getText).filter(text -> text.contains(expected)).findFirst().orElse(null);
        });
    }

    /** Waits until {@code css} matches an element. */
    public void await(String css)
    {
        until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(css)));
    }

    /** Waits until {@code condition} answers something other than null or false. */
    public <T> T until(Function<? super WebDriver, T> condition)
    {
        return chromium.until(condition, WAIT);
    }

    public <T> T until(Function<? super WebDriver, T> condition, Duration timeout)
    {
        return chromium.until(condition, timeout);
    }

    /** The window's width in CSS pixels (the layout width the page sees). */
    public void resize(int width)
    {
        this.width = width;
        chromium.resize(width, 900);
    }

    /** The whole page at the current width as a PNG under {@code dir}; returns its path. */
    public Path screenshot(Path dir, String name)
            throws IOException
    {
        Number height = (Number) ((JavascriptExecutor) driver).executeScript("return Math.ceil(document.documentElement.scrollHeight)");
        chromium.resize(width, Math.min(MAX_SCREENSHOT_HEIGHT, Math.max(600, height.intValue() + 100)));
        Path target = chromium.screenshot(dir, name);
        chromium.resize(width, 900);
        return target;
    }

    /** Whether the page is wider than the window (something does not fit: a horizontal scrollbar). */
    public boolean overflowsHorizontally()
    {
        return (Boolean) ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollWidth > document.documentElement.clientWidth");
    }

    /** What the page logged at SEVERE (errors, refused scripts, failed requests other than expected API answers). */
    public List<String> severeLogs()
    {
        return chromium.browserLogs().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    public Object script(String script, Object... arguments)
    {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    @Override
    public void close()
    {
        chromium.close();
    }
}
