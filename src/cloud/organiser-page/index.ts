// The organiser's page of a cloud event: server-rendered HTML at /organiser/<eventId>, signed in with the organiser token.
export {
  registerOrganiserPage,
  ORGANISER_PAGE_CONTENT_SECURITY_POLICY,
  WRONG_TOKEN,
  type OrganiserPageDeps,
} from './organiser-page-routes.js';
export { organiserPagePath } from './organiser-session.js';
