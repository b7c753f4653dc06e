// Loaded with <script type="module">, so it only runs in browsers that GOV.UK Frontend
// supports; everything else gets the plain HTML, which works without JavaScript.
import { initAll } from "./govuk-frontend.min.js";

initAll();
