// Size limits shared by the IPC contract (which enforces them in main) and the renderer (which
// trims to them before sending). Dependency-free so the renderer bundle can import it without zod.

export const MAX_ERROR_MESSAGE_LENGTH = 2000
export const MAX_ERROR_STACK_LENGTH = 8000
export const MAX_ERROR_SOURCE_LENGTH = 2048
