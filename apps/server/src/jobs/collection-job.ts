// What `GET /api/jobs/:id` answers: the shape is the web app's too (@svcpath/api-contract).
export type { CollectionJobView } from '@svcpath/api-contract';
