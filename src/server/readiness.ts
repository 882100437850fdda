/**
 * Whether the gateway can serve: loading the model, ready, failed (with the reason, the process
 * stays up so an operator can see it), or stopping (readiness off while in-flight work drains).
 */
import type { GatewayServices } from '../graphql/services.js';

export type Readiness =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly services: GatewayServices }
  | { readonly status: 'failed'; readonly reason: string }
  | { readonly status: 'stopping'; readonly services?: GatewayServices | undefined };

export class ReadinessState {
  private current: Readiness = { status: 'loading' };

  get value(): Readiness {
    return this.current;
  }

  ready(services: GatewayServices): void {
    if (this.current.status === 'loading') this.current = { status: 'ready', services };
  }

  failed(reason: string): void {
    // From ready too: a model worker that dies takes the model with it.
    if (this.current.status === 'loading' || this.current.status === 'ready') this.current = { status: 'failed', reason };
  }

  stopping(): void {
    const services = this.current.status === 'ready' ? this.current.services : undefined;
    this.current = { status: 'stopping', services };
  }

  /** Why requests cannot be served now, or undefined when they can. */
  unavailableReason(): string | undefined {
    switch (this.current.status) {
      case 'ready':
        return undefined;
      case 'loading':
        return 'the model is still loading; retry in a moment (GET /readyz says when it is ready)';
      case 'failed':
        return `the model could not be loaded: ${this.current.reason}`;
      case 'stopping':
        return 'the server is shutting down';
    }
  }
}
