// Debian Chromium driven by playwright-core. Each "device" is its own browser context: separate
// IndexedDB, localStorage and BroadcastChannel, like separate machines.

import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, Page } from 'playwright-core'

export const CHROMIUM_PATH = process.env.SKEIN_CHROMIUM ?? '/usr/bin/chromium'

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export interface Device {
  readonly context: BrowserContext
  readonly page: Page
  /** Console errors and uncaught page errors seen so far (for assertions and debugging). */
  readonly errors: string[]
  /** One entry per "Leave site?" warning the page raised (unsynced changes on reload/close). */
  readonly unloadWarnings: string[]
  /** The page's last console messages, any level (for explaining a failure). */
  readonly console: string[]
}

/** What a device shows and said, for a failed test's output: its visible text and console. */
export async function describeDevice(name: string, device: Device): Promise<string> {
  const text = await device.page
    .locator('body')
    .innerText({ timeout: 5_000 })
    .catch((err: unknown) => `(could not read the page: ${String(err)})`)
  return [`--- ${name}: page text ---`, text, `--- ${name}: console ---`, ...device.console].join('\n')
}

/** Uncaught exceptions in the page (console noise such as refused WebSockets is not included). */
export function pageErrors(device: Device): string[] {
  return device.errors.filter((e) => e.startsWith('pageerror'))
}

export async function openDevice(browser: Browser, url: string): Promise<Device> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } })
  // Playwright's 30 s default is too tight for a loaded 2-core machine (reloads, navigation).
  context.setDefaultTimeout(60_000)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
  const messages: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`)
    messages.push(`${new Date().toISOString()} ${msg.type()}: ${msg.text()}`)
    if (messages.length > 200) messages.shift()
  })
  const unloadWarnings: string[] = []
  // "Leave site?" while changes are not on the relay yet: counted, then left, as a user would.
  page.on('dialog', (dialog) => {
    if (dialog.type() === 'beforeunload') {
      unloadWarnings.push(page.url())
      void dialog.accept()
    } else void dialog.dismiss()
  })
  await page.goto(url)
  return { context, page, errors, unloadWarnings, console: messages }
}
