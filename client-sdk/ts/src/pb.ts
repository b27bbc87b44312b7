// Every generated message type and schema of proto/majlis/v1, in one namespace (index.ts: pb).
export * from './gen/majlis/v1/common_pb.js';
export * from './gen/majlis/v1/state_pb.js';
export * from './gen/majlis/v1/commands_pb.js';
export * from './gen/majlis/v1/events_pb.js';
export * from './gen/majlis/v1/wire_pb.js';
