package io.prestoorchestrator.testing;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The real Nomad UI ({@code <nomad>/ui/}) driven as an operator would, in headless Chromium through
 * chromedriver (both Debian's, from {@code scripts/setup.sh}: {@code CHROMIUM_BIN},
 * {@code CHROMEDRIVER_BIN}). Selenium is given both paths, so it never looks for or downloads a
 * browser or driver of its own. Nomad's UI keeps blocking queries open, so the network never goes
 * idle: every step waits for an element or a value, never for a fixed time.
 */
public final class NomadUi
        implements AutoCloseable
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int WIDTH = 1400;
    private static final int MAX_SCREENSHOT_HEIGHT = 6000;

    private final String nomad;
    private final HeadlessChromium chromium;
    private final ChromeDriver driver;

    private NomadUi(String nomad, HeadlessChromium chromium)
    {
        this.nomad = nomad;
        this.chromium = chromium;
        this.driver = chromium.driver();
    }

    /** Starts headless Chromium on a new empty profile; fails naming what to install when Chromium or its driver is missing. */
    public static NomadUi open(String nomadAddress)
            throws IOException
    {
        requireNonNull(nomadAddress, "nomadAddress is null");
        return new NomadUi(nomadAddress.replaceAll("/+$", ""), HeadlessChromium.start("nomad-ui-chromium-", WIDTH, 1000, false));
    }

    /** The jobs list, then the job's row, clicked. */
    public void openJobFromJobsList(String jobId)
    {
        driver.get(nomad + "/ui/jobs");
        until(ExpectedConditions.elementToBeClickable(By.linkText(jobId))).click();
        until(ExpectedConditions.urlContains("/ui/jobs/" + jobId));
        until(ExpectedConditions.visibilityOfElementLocated(By.xpath(metaSection())));
    }

    /** The job page's Meta table (name to value), once it lists {@code expectedKey}. */
    public Map<String, String> jobMeta(String expectedKey)
    {
        return until(ignored -> {
            Map<String, String> meta = new LinkedHashMap<>();
            for (WebElement row : driver.findElements(By.xpath(metaSection() + "/following-sibling::div//tbody/tr"))) {
                List<WebElement> cells = row.findElements(By.tagName("td"));
                if (cells.size() == 2) {
                    meta.put(cells.get(0).getText().strip(), cells.get(1).getText().strip());
                }
            }
            return meta.containsKey(expectedKey) ? meta : null;
        });
    }

    /** From the job page, the task group's link in the Task Groups table, clicked. */
    public void openTaskGroupFromJob(String jobId, String group)
    {
        until(ExpectedConditions.elementToBeClickable(By.xpath("//table//a[normalize-space()='" + group + "' and contains(@href, '/ui/jobs/" + jobId + "')]"))).click();
        until(ExpectedConditions.urlMatches("/ui/jobs/" + jobId + "[^/]*/" + group + "$"));
    }

    /** The count shown by the task group page's scale control. */
    public int shownCount()
    {
        return until(ignored -> {
            String value = driver.findElement(By.cssSelector("input.stepper-input-input")).getDomProperty("value");
            return value == null || value.isBlank() ? null : Integer.parseInt(value.strip());
        });
    }

    /** The task group page's scale control: one click on its minus button. */
    public void clickDecrementCount()
    {
        until(ExpectedConditions.elementToBeClickable(By.cssSelector("button.stepper-input-stepper[aria-label='decrement']"))).click();
    }

    /** Waits until the task group page shows this count in its scale control. */
    public void awaitShownCount(int count)
    {
        until(ignored -> shownCount() == count ? Boolean.TRUE : null);
    }

    /** Waits until the allocation's row (its short id) on the current page shows the client status. */
    public void awaitAllocationStatus(String allocationId, String status)
    {
        String shortId = allocationId.substring(0, 8);
        until(ExpectedConditions.visibilityOfElementLocated(By.xpath(
                "//tr[td//a[normalize-space()='" + shortId + "']]/td[normalize-space()='" + status + "']")));
    }

    /** The whole page (the window grown to the page's height) as a PNG under {@code dir}; returns its path. */
    public Path screenshot(Path dir, String name)
            throws IOException
    {
        // no tooltip of the last control clicked in the picture
        new Actions(driver).moveToLocation(0, 0).perform();
        // the UI scrolls its page body inside a full-height layout: grow the window until nothing scrolls
        int height = driver.manage().window().getSize().getHeight();
        for (int i = 0; i < 5 && height < MAX_SCREENSHOT_HEIGHT; i++) {
            Number overflow = (Number) ((JavascriptExecutor) driver).executeScript("return Math.max(0, ...Array.from(document.querySelectorAll('*'))"
                    + ".filter(e => e === document.documentElement || ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))"
                    + ".map(e => e.scrollHeight - e.clientHeight))");
            if (overflow.intValue() <= 0) {
                break;
            }
            height = Math.min(MAX_SCREENSHOT_HEIGHT, height + overflow.intValue());
            chromium.resize(WIDTH, height);
        }
        Path target = chromium.screenshot(dir, name);
        chromium.resize(WIDTH, 1000);
        return target;
    }

    public String currentUrl()
    {
        return driver.getCurrentUrl();
    }

    @Override
    public void close()
    {
        chromium.close();
    }

    private <T> T until(Function<? super WebDriver, T> condition)
    {
        return chromium.until(condition, WAIT);
    }

    private static String metaSection()
    {
        return "//div[contains(@class, 'boxed-section-head') and normalize-space()='Meta']";
    }
}
