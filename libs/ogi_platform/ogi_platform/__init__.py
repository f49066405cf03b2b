"""The OGI platform: event stores, the NATS bus, the gRPC scaffold and the service runtime."""
