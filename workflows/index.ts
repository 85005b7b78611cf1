export { dealWorkflow } from './deal-workflow';
export { sopRegistryWorkflow } from './sop-registry';
export { sopAnalyticsWorkflow } from './sop-analytics';
export { timelinePageWorkflow } from './timeline-page';
export { sopMigrationWorkflow } from './sop-migration';
export { keyedRegistryWorkflow } from './keyed-registry';
export { endpointDeliveriesWorkflow } from './endpoint-deliveries';
