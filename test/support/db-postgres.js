process.env.SIARAN_TEST_DB = 'postgres';
