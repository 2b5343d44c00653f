/**
 * Log lines without colour codes when they do not go to a terminal (a pipe, a file, a log
 * collector): Nest's logger colours unless NO_COLOR is set. An explicit NO_COLOR or FORCE_COLOR wins.
 */
export const plainLogsWhenPiped = (stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): void => {
  if (!stream.isTTY && env.NO_COLOR === undefined && env.FORCE_COLOR === undefined) env.NO_COLOR = '1';
};
