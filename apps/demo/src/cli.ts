console.log('keypool');
