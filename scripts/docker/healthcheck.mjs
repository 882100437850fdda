// The image's HEALTHCHECK: healthy once GET /readyz answers 200 (the model is loaded; 503 while it
// loads, failed or the server is stopping). Node's own fetch, since slim images have no curl or wget.
// Exit 0: healthy, 1: not (Docker's contract). Reads the same PORT and HOST as the server.
const port = process.env.PORT?.trim() || '4000';
const host = process.env.HOST?.trim() || '0.0.0.0';
// A wildcard listen address accepts loopback connections; a specific one has to be asked directly.
const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
try {
  // Under HEALTHCHECK's --timeout, so a hung server reads as unhealthy rather than as a killed check.
  const response = await fetch(`http://${target}:${port}/readyz`, { signal: AbortSignal.timeout(4000) });
  if (!response.ok) console.log(`/readyz: ${response.status} ${(await response.text()).slice(0, 200)}`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.log(`/readyz: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
