/**
 * What a fixture has started, closed in reverse order of starting. Every close is tried even when
 * an earlier one fails, so one stuck browser does not leave a relay process running.
 */
export class Teardown {
  private readonly closes: (() => unknown)[] = []

  /** Remembers how to close `value`, and returns it. */
  add<T>(value: T, close: (value: T) => unknown): T {
    this.closes.push(() => close(value))
    return value
  }

  async run(): Promise<void> {
    const errors: unknown[] = []
    for (let close = this.closes.pop(); close; close = this.closes.pop()) {
      try {
        await close()
      } catch (err) {
        errors.push(err)
      }
    }
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) throw new AggregateError(errors, 'several closes failed')
  }
}

/**
 * Starts what `start` starts, adding each piece to a Teardown; if it fails halfway, the pieces
 * already started are closed before the error goes on (a fixture that never returned cannot be
 * closed by its caller).
 */
export async function startAll<T extends object>(start: (teardown: Teardown) => Promise<T>): Promise<T & { close(): Promise<void> }> {
  const teardown = new Teardown()
  try {
    const started: T = await start(teardown)
    return Object.assign(started, { close: () => teardown.run() })
  } catch (err) {
    await teardown.run().catch(() => undefined)
    throw err
  }
}
