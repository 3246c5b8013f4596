'use strict';
document.addEventListener('DOMContentLoaded', () => {
  if (new URLSearchParams(location.search).has('error')) {
    document.getElementById('error').hidden = false;
  }
});
