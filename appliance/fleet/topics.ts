// The fleet topic tree lives in fleet-contract/ (shared with the fleet manager); re-exported here.
export { BOX_ID, fleetTopics, type FleetTopics } from '../../fleet-contract/topics.ts';
