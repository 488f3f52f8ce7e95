import express, { Router } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { setRouteTemplate } from '../middleware/route-template';

/** Swagger UI's page, pointed at this app's document; its scripts and styles come from the app itself. */
const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>AI Audit Ledger API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-initializer.js"></script>
</body>
</html>
`;

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
};
`;

/** Only this app's own scripts; Swagger UI sets inline styles and uses data: images. */
const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'";

/**
 * `/openapi.json` and `/docs`: the generated document, rendered with swagger-ui-dist served from
 * the installed package — no CDN, so the docs work offline and load no third-party code.
 */
export function apiDocsRoutes(document: Readonly<Record<string, unknown>>): Router {
  const router = Router();
  router.get('/openapi.json', (req, res) => {
    setRouteTemplate(req, '/openapi.json');
    res.json(document);
  });
  router.get('/docs', (req, res) => {
    setRouteTemplate(req, '/docs');
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.type('html').send(DOCS_PAGE);
  });
  // An inline script would need a looser Content-Security-Policy; a separate file does not.
  router.get('/docs/swagger-initializer.js', (req, res) => {
    setRouteTemplate(req, '/docs/swagger-initializer.js');
    res.type('application/javascript').send(INITIALIZER);
  });
  router.use('/docs/assets', (req, _res, next) => {
    setRouteTemplate(req, '/docs/assets');
    next();
  });
  router.use('/docs/assets', express.static(getAbsoluteFSPath(), { index: false, fallthrough: true }));
  return router;
}
