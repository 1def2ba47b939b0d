// The guarded IPC layer. Every channel in the contract gets exactly one handler; each call is
// refused unless it comes from a frame of the app itself (app://skein/) and its arguments pass
// the channel's zod schema. Results are validated too, so a bug in main cannot send the renderer
// something the contract does not describe.
import type { IpcMain, IpcMainInvokeEvent } from 'electron'
import { ipcContract } from '../ipc-contract.js'
import type { IpcArgs, IpcChannel, IpcResult } from '../ipc-contract.js'
import { isAppUrl } from './protocol.js'

export type IpcHandlers = {
  [C in IpcChannel]: (...args: IpcArgs<C>) => Promise<IpcResult<C>> | IpcResult<C>
}

export class IpcRejection extends Error {
  constructor(
    readonly channel: string,
    reason: string,
  ) {
    super(`IPC ${channel} refused: ${reason}`)
    this.name = 'IpcRejection'
  }
}

type SenderEvent = Pick<IpcMainInvokeEvent, 'senderFrame'>

/** True only when the sending frame still exists and shows the app's own origin. */
export function isTrustedSender(event: SenderEvent): boolean {
  const frame = event.senderFrame
  if (frame === null || frame === undefined) return false
  return isAppUrl(frame.url)
}

export function guardHandler<C extends IpcChannel>(
  channel: C,
  handler: IpcHandlers[C],
): (event: SenderEvent, ...args: unknown[]) => Promise<IpcResult<C>> {
  const { args: argsSchema, result: resultSchema } = ipcContract[channel]
  return async (event, ...args) => {
    if (!isTrustedSender(event)) throw new IpcRejection(channel, 'sender is not an app frame')
    const parsed = argsSchema.safeParse(args)
    if (!parsed.success) throw new IpcRejection(channel, 'invalid arguments')
    const call = handler as (...a: unknown[]) => Promise<unknown> | unknown
    return resultSchema.parse(await call(...parsed.data)) as IpcResult<C>
  }
}

export function setupIpc(ipcMain: Pick<IpcMain, 'handle'>, handlers: IpcHandlers): void {
  for (const channel of Object.keys(ipcContract) as IpcChannel[]) {
    ipcMain.handle(channel, guardHandler(channel, handlers[channel]))
  }
}
