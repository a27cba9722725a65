package io.pulse.dashboard;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;

import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import io.pulse.testkit.Dirs;

/**
 * Headless Debian Chromium driven by Debian's chromedriver (no browser download). Paths can be
 * overridden with {@code CHROMIUM_BIN} and {@code CHROMEDRIVER_BIN}.
 */
final class Browser {

    static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getenv().getOrDefault("CHROMEDRIVER_BIN", "/usr/bin/chromedriver");

    static ChromeDriver start() {
        if (!new File(CHROMIUM).canExecute() || !new File(CHROMEDRIVER).canExecute()) {
            throw new IllegalStateException("Browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": apt-get install -y chromium chromium-driver (./pulse test does it)");
        }
        // Each start leaves a 2.5 MB profile behind: deleted once the test JVM has gone (and Chromium with it).
        Path profile = Dirs.throwawayDir("pulse-chromium-");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,1500", "--user-data-dir=" + profile);
        // A dialog a script opened stays open for the test to find: by default the next command dismissed it (and the
        // error it raised could be swallowed by an await that ignores exceptions).
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }

    private Browser() {
    }
}
