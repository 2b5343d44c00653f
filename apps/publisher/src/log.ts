/** One JSON object per line on stdout, so log shippers need no parsing rules. */
export const jsonLogger = (app: string) => {
  const write = (level: string, message: string): void => {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, app, message })}\n`);
  };
  return {
    info: (m: string) => write('info', m),
    warn: (m: string) => write('warn', m),
    error: (m: string) => write('error', m),
    kafka: (level: 'error' | 'warn' | 'info', m: string) => write(level, m),
  };
};

export type JsonLogger = ReturnType<typeof jsonLogger>;
